// A small synthesised piano on WebAudio: no samples, no network. Each note is a few
// detuned partials through a low-pass filter with a struck-string envelope.
import { frequency, type PlayEvent } from "./music";

type AudioContextLike = AudioContext;

function piano(context: AudioContextLike, destination: AudioNode, midi: number, when: number, seconds: number) {
  const base = frequency(midi);
  const output = context.createGain();
  const filter = context.createBiquadFilter();
  filter.type = "lowpass";
  // Brighter attack for higher notes, as on a real piano.
  filter.frequency.setValueAtTime(Math.min(12000, base * 8), when);
  filter.frequency.exponentialRampToValueAtTime(Math.max(400, base * 2), when + Math.min(1.5, seconds + 0.3));
  filter.connect(output);
  output.connect(destination);
  const peak = 0.22;
  output.gain.setValueAtTime(0.0001, when);
  output.gain.exponentialRampToValueAtTime(peak, when + 0.008);
  output.gain.exponentialRampToValueAtTime(peak * 0.35, when + 0.35);
  const release = when + Math.max(0.12, seconds);
  output.gain.setValueAtTime(peak * 0.3, release);
  output.gain.exponentialRampToValueAtTime(0.0001, release + 0.35);
  const partials: [number, number, OscillatorType][] = [
    [1, 1, "triangle"],
    [2, 0.35, "sine"],
    [3, 0.12, "sine"],
    [1.003, 0.4, "sine"],
  ];
  for (const [ratio, level, type] of partials) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = type;
    oscillator.frequency.setValueAtTime(base * ratio, when);
    gain.gain.setValueAtTime(level, when);
    oscillator.connect(gain);
    gain.connect(filter);
    oscillator.start(when);
    oscillator.stop(release + 0.4);
  }
}

export interface PlayerOptions {
  events: PlayEvent[];
  beats: number;
  tempo: number;
  loop: boolean;
  /** Called with the chord index (or -1) as each event sounds, and with null at the end. */
  onEvent?: (event: PlayEvent | null) => void;
}

/** Plays events, looping if asked, until stopped. One player per view. */
export class Player {
  private context: AudioContextLike | null = null;
  private master: GainNode | null = null;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private playing = false;

  get isPlaying() {
    return this.playing;
  }

  /** Throws when the platform has no WebAudio, so the view can say so. */
  play(options: PlayerOptions) {
    this.stop();
    const Context = globalThis.AudioContext ?? (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Context) throw new Error("this window has no audio output (WebAudio is unavailable)");
    this.context ??= new Context();
    void this.context.resume();
    this.master = this.context.createGain();
    this.master.gain.value = 0.8;
    this.master.connect(this.context.destination);
    this.playing = true;
    this.schedulePass(options, this.context.currentTime + 0.05);
  }

  private schedulePass(options: PlayerOptions, startAt: number) {
    const context = this.context!;
    const secondsPerBeat = 60 / options.tempo;
    for (const event of options.events) {
      const when = startAt + event.start * secondsPerBeat;
      const seconds = event.length * secondsPerBeat * 0.95;
      for (const midi of event.midi) piano(context, this.master!, midi, when, seconds);
      const delay = Math.max(0, (when - context.currentTime) * 1000);
      this.timers.push(setTimeout(() => options.onEvent?.(event), delay));
    }
    const end = startAt + options.beats * secondsPerBeat;
    const untilEnd = Math.max(0, (end - context.currentTime) * 1000);
    this.timers.push(
      setTimeout(() => {
        if (!this.playing) return;
        if (options.loop) this.schedulePass(options, end);
        else this.finish(options);
      }, Math.max(0, untilEnd - 60)),
    );
  }

  private finish(options: PlayerOptions) {
    this.playing = false;
    options.onEvent?.(null);
  }

  stop() {
    this.timers.forEach(clearTimeout);
    this.timers = [];
    this.playing = false;
    if (this.master && this.context) {
      const now = this.context.currentTime;
      this.master.gain.cancelScheduledValues(now);
      this.master.gain.setValueAtTime(this.master.gain.value, now);
      this.master.gain.linearRampToValueAtTime(0, now + 0.05);
      const old = this.master;
      setTimeout(() => old.disconnect(), 100);
      this.master = null;
    }
  }
}
