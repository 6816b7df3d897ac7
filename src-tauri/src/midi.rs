//! A MIDI keyboard, where one is connected (CoreMIDI on a Mac, ALSA on Linux): the inputs
//! there are, and the keys pressed on the one the window listens to, sent to the window as
//! they happen. Which keys make the chord is the Studio's to judge.

use std::sync::Mutex;

use cadence::practice::midi::{KeyEvent, key_event};
use midir::{MidiInput, MidiInputConnection};
use tauri::ipc::Channel;

const CLIENT: &str = "Cadence";

/// The connection the window listens to, if any; dropping it closes the port.
#[derive(Default)]
pub struct MidiListener(Mutex<Option<MidiInputConnection<()>>>);

fn midi_input() -> Result<MidiInput, String> {
    // Without ALSA's sequencer device there is no MIDI to open, and asking makes ALSA print
    // its own error.
    if cfg!(target_os = "linux") && !std::path::Path::new("/dev/snd/seq").exists() {
        return Err("this computer has no MIDI system (no ALSA sequencer); answer by typing or on the on-screen keyboard".into());
    }
    MidiInput::new(CLIENT).map_err(|error| {
        format!("this computer's MIDI system is not available ({error}); answer by typing or on the on-screen keyboard")
    })
}

/// The names of the MIDI inputs, in the system's order.
pub fn inputs() -> Result<Vec<String>, String> {
    let input = midi_input()?;
    Ok(input
        .ports()
        .iter()
        .filter_map(|port| input.port_name(port).ok())
        .collect())
}

impl MidiListener {
    /// Listens to the input named `name`, sending each key pressed or released to `keys`.
    pub fn listen(&self, name: &str, keys: Channel<KeyEvent>) -> Result<(), String> {
        let input = midi_input()?;
        let port = input
            .ports()
            .into_iter()
            .find(|port| input.port_name(port).is_ok_and(|n| n == name))
            .ok_or_else(|| {
                format!(
                    "no MIDI input is called “{}”; plug the keyboard in and choose it again",
                    cadence::content::quoted(name)
                )
            })?;
        let connection = input
            .connect(
                &port,
                "cadence-practice",
                move |_, message, _| {
                    if let Some(event) = key_event(message) {
                        let _ = keys.send(event);
                    }
                },
                (),
            )
            .map_err(|error| format!("cannot listen to “{name}”: {error}"))?;
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(connection);
        Ok(())
    }

    /// Stops listening.
    pub fn stop(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}
