//! Keys, as the command line and documents write them (`Eb`, `C# minor`, `F# min`, `A-`)
//! and as RomanText files do (`a`, `E-`, `f#:`). A key prints and reads back to itself,
//! and its relative's relative is the key again.

#![no_main]

use cadence_theory::Key;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [text.parse::<Key>(), Key::from_romantext(text)] {
        let key = match parsed {
            Ok(key) => key,
            Err(error) => {
                assert!(!error.to_string().is_empty());
                continue;
            }
        };
        for printed in [key.to_string(), format!("{key:#}")] {
            let reparsed: Key = printed
                .parse()
                .unwrap_or_else(|error| panic!("{text:?} printed as {printed:?}: {error}"));
            assert_eq!(reparsed, key, "{text:?} printed as {printed:?}");
        }
        assert_eq!(key.relative().relative(), key, "{text:?}");
        assert_eq!(key.parallel().parallel(), key, "{text:?}");
        let simplest = key.simplest_spelling();
        assert!(simplest.signature().fifths.abs() <= key.signature().fifths.abs());
        assert_eq!(key.scale().notes().len(), 7);
    }
});
