//! `cadence theory`: the theory engine's reports, without a model or the library.

use std::path::PathBuf;
use std::process::ExitCode;

use cadence::theory::Style;
use cadence::theory::{report, romantext};
use clap::{Args, Subcommand};

#[derive(Subcommand)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum TheoryCommand {
    /// Spell a chord symbol, or name the chord a set of notes makes.
    #[command(
        after_help = "Examples:\n  cadence theory chord \"C7(b9,#11)\"\n  cadence theory chord \"D F# A C\""
    )]
    Chord {
        /// A chord symbol (Bb13(#11), F#m7b5, C/E) or notes separated by spaces.
        chord: String,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// Read roman numerals (or chord symbols) in a key.
    #[command(after_help = "Example:\n  cadence theory roman --key Eb \"ii7 V7 Imaj7\"")]
    Roman {
        /// The key: Eb, \"Eb major\", Cm, \"F# minor\".
        #[arg(long)]
        key: String,
        /// Numerals or chord symbols separated by spaces (ii7 V65/V viio7/ii bVII N6).
        numerals: String,
        /// classical (I7 = the key's seventh chord), jazz (I7 = dominant seventh) or romantext
        /// (as RomanText analyses mean their figures).
        #[arg(long, default_value = "classical")]
        style: Style,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// Voice a progression for piano with smooth voice leading.
    #[command(
        after_help = "Example:\n  cadence theory voicing --type rootless-a --key F \"Gm7 C7 Fmaj7\""
    )]
    Voicing {
        /// close, drop-2, drop-3, shell (1-3-7), shell-b (1-7-3), rootless-a, rootless-b, rootless, gospel, upper-structure.
        #[arg(long = "type")]
        kind: String,
        /// The key the progression is in.
        #[arg(long)]
        key: String,
        /// Chord symbols or numerals separated by spaces.
        chords: String,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// Spell a scale or mode.
    #[command(after_help = "Example:\n  cadence theory scale \"D dorian\"")]
    Scale {
        /// A tonic and a scale: \"D dorian\", \"Bb bebop dominant\", \"A blues\".
        scale: String,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// A standard progression in a key, optionally reharmonised.
    #[command(
        after_help = "Example:\n  cadence theory progression ii-V-I --key Db --reharm tritone"
    )]
    Progression {
        /// ii-v-i, minor-ii-v-i, i-vi-ii-v, iii-vi-ii-v, gospel-1-4-5, gospel-2-5-1, blues,
        /// jazz-blues, minor-blues, backdoor, pop-axis, … (an unknown name lists them all).
        template: String,
        #[arg(long)]
        key: String,
        /// A reharmonisation rule: tritone, related-ii, secondary-dominants or backdoor.
        #[arg(long)]
        reharm: Option<String>,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// Read a RomanText analysis (the When-in-Rome format) and spell every chord.
    #[command(after_help = "Example:\n  cadence theory rntxt chorale.txt")]
    Rntxt {
        /// A RomanText file: `Time Signature: 4/4`, `m1 b1 a: i b3 V6/5`, `m5-6 = m1-2`…
        file: PathBuf,
        #[command(flatten)]
        output: TheoryOutput,
    },
    /// Check a chart of numerals and chords: reports every chord that does not match.
    #[command(
        after_help = "Example:\n  cadence theory check --key Eb \"ii7=Fm7 | V7=Ab7 | Imaj7=Ebmaj7\""
    )]
    Check {
        #[arg(long)]
        key: String,
        /// Bars separated by `|`; each bar a numeral, a chord, or numeral=chord.
        chart: String,
        #[arg(long, default_value = "classical")]
        style: Style,
        #[command(flatten)]
        output: TheoryOutput,
    },
}

/// How every theory report is printed.
#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct TheoryOutput {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Print ♭ and ♯ instead of b and #.
    #[arg(long, conflicts_with = "json")]
    unicode: bool,
}

impl TheoryOutput {
    /// The report as JSON, or as text; a report's alternate form (`{:#}`) spells ♭ and ♯.
    fn render<R: serde::Serialize + std::fmt::Display>(
        &self,
        report: &R,
    ) -> anyhow::Result<String> {
        Ok(if self.json {
            serde_json::to_string_pretty(report)?
        } else if self.unicode {
            format!("{report:#}")
        } else {
            report.to_string()
        })
    }

    fn print<R: serde::Serialize + std::fmt::Display>(&self, report: &R) -> anyhow::Result<()> {
        println!("{}", self.render(report)?);
        Ok(())
    }
}

/// Prints the report; a chart that does not check out fails after its report is printed.
pub(crate) fn run(command: TheoryCommand) -> anyhow::Result<ExitCode> {
    match command {
        TheoryCommand::Chord { chord, output } => output.print(&report::chord_report(&chord)?)?,
        TheoryCommand::Roman {
            key,
            numerals,
            style,
            output,
        } => output.print(&report::roman_report_with_style(&key, &numerals, style)?)?,
        TheoryCommand::Voicing {
            kind,
            key,
            chords,
            output,
        } => output.print(&report::voicing_report(&kind, &key, &chords)?)?,
        TheoryCommand::Rntxt { file, output } => {
            let source = std::fs::read_to_string(&file)
                .map_err(|error| anyhow::anyhow!("cannot read {}: {error}", file.display()))?;
            let analysis = romantext::read(&source)
                .map_err(|error| anyhow::anyhow!("{}: {error}", file.display()))?;
            output.print(&analysis)?;
        }
        TheoryCommand::Scale { scale, output } => output.print(&report::scale_report(&scale)?)?,
        TheoryCommand::Progression {
            template,
            key,
            reharm,
            output,
        } => output.print(&report::progression_report(
            &template,
            &key,
            reharm.as_deref(),
        )?)?,
        TheoryCommand::Check {
            key,
            chart,
            style,
            output,
        } => {
            let validation = report::validation_report(&key, &chart, style)?;
            output.print(&validation)?;
            anyhow::ensure!(
                validation.is_valid(),
                "the chart has chords that do not match their numerals"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::*;
    use crate::{Command, parse};

    const TEXT: TheoryOutput = TheoryOutput {
        json: false,
        unicode: false,
    };

    fn theory(args: &[&str]) -> TheoryCommand {
        let args: Vec<&str> = std::iter::once("theory")
            .chain(args.iter().copied())
            .collect();
        match parse(&args).unwrap() {
            Some(Command::Theory(command)) => command,
            other => panic!("{args:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn roman_reads_numerals_classically_unless_told() {
        assert_eq!(
            theory(&["roman", "--key", "Eb", "ii7 V7 Imaj7"]),
            TheoryCommand::Roman {
                key: "Eb".into(),
                numerals: "ii7 V7 Imaj7".into(),
                style: Style::Classical,
                output: TEXT,
            }
        );
        let TheoryCommand::Roman { style, .. } =
            theory(&["roman", "--key", "C", "--style", "jazz", "I7"])
        else {
            panic!("not a roman command");
        };
        assert_eq!(style, Style::Jazz);
    }

    #[test]
    fn voicing_takes_its_kind_from_type() {
        assert_eq!(
            theory(&["voicing", "--type", "rootless-a", "--key", "F", "Gm7 C7"]),
            TheoryCommand::Voicing {
                kind: "rootless-a".into(),
                key: "F".into(),
                chords: "Gm7 C7".into(),
                output: TEXT,
            }
        );
    }

    #[test]
    fn progression_reharmonisation_is_optional() {
        assert_eq!(
            theory(&["progression", "ii-V-I", "--key", "Db"]),
            TheoryCommand::Progression {
                template: "ii-V-I".into(),
                key: "Db".into(),
                reharm: None,
                output: TEXT,
            }
        );
    }

    #[test]
    fn json_and_unicode_cannot_be_combined() {
        let error = parse(&["theory", "chord", "--json", "--unicode", "Bb7"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ArgumentConflict);
    }

    #[test]
    fn an_unknown_style_is_refused_while_parsing() {
        let error =
            parse(&["theory", "check", "--key", "C", "--style", "baroque", "I"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ValueValidation);
    }

    #[test]
    fn output_flags_choose_ascii_text_unicode_text_or_json() {
        let chord = report::chord_report("Bb7").unwrap();

        let text = TEXT.render(&chord).unwrap();
        assert!(text.contains("Bb") && !text.contains('♭'), "{text}");

        let unicode = TheoryOutput {
            json: false,
            unicode: true,
        }
        .render(&chord)
        .unwrap();
        assert!(
            unicode.contains("B♭") && !unicode.contains("Bb"),
            "{unicode}"
        );

        let json = TheoryOutput {
            json: true,
            unicode: false,
        }
        .render(&chord)
        .unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed, serde_json::to_value(&chord).unwrap());
    }

    #[test]
    fn a_chart_that_checks_out_succeeds() {
        let command = theory(&["check", "--key", "Eb", "ii7=Fm7 | V7=Bb7 | Imaj7=Ebmaj7"]);
        assert_eq!(run(command).unwrap(), ExitCode::SUCCESS);
    }

    #[test]
    fn a_chart_with_a_wrong_chord_fails() {
        let command = theory(&["check", "--key", "Eb", "ii7=Fm7 | V7=A7 | Imaj7=Ebmaj7"]);
        let error = run(command).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the chart has chords that do not match their numerals"
        );
    }

    #[test]
    fn a_romantext_file_reads_or_names_the_line_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.rntxt");
        std::fs::write(&good, "Time Signature: 3/4\nm1 a: i b2 V6/5 b3 i\n").unwrap();
        let analysis = romantext::read(&std::fs::read_to_string(&good).unwrap()).unwrap();
        let text = TEXT.render(&analysis).unwrap();
        assert!(text.contains("m1 b2 A minor: V6/5 (G# B D E)"), "{text}");
        let command = theory(&["rntxt", good.to_str().unwrap()]);
        assert_eq!(run(command).unwrap(), ExitCode::SUCCESS);

        let bad = dir.path().join("bad.rntxt");
        std::fs::write(&bad, "m1 C: I\nm2 V7[zz]\n").unwrap();
        let error = run(theory(&["rntxt", bad.to_str().unwrap()])).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("line 2") && message.contains("[zz]"),
            "{message}"
        );

        let missing = dir.path().join("missing.rntxt");
        let error = run(theory(&["rntxt", missing.to_str().unwrap()])).unwrap_err();
        assert!(error.to_string().starts_with("cannot read"), "{error}");
    }
}
