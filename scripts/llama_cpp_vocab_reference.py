#!/usr/bin/env python3
"""Reference token ids from llama.cpp (llama-cpp-python) for the real Phi-3 and Qwen2 vocabularies.

Writes tests/fixtures/llama_cpp_vocab_reference.json. For each vocabulary-only GGUF
(ggml-vocab-phi-3.gguf, ggml-vocab-qwen2.gguf) it records:
  texts: plain texts and the ids llama.cpp gives them as typed user text
         (no BOS, special tokens not parsed);
  chats: conversations rendered with the GGUF's own tokenizer.chat_template the way
         Llama.create_chat_completion does it, the rendered prompt and its ids.
The "how" string in the file says exactly which calls were replicated.

usage: python scripts/llama_cpp_vocab_reference.py [VOCAB_DIR] [--out OUT.json]
       VOCAB_DIR defaults to tests/fixtures/vocab if it exists, else ../shared/vocab
       (both relative to the repository root).
needs: pip install llama-cpp-python==0.3.36  (Jinja2 comes with it)
"""
import argparse
import json
import os
import sys

import llama_cpp
from llama_cpp import Llama
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join("tests", "fixtures", "llama_cpp_vocab_reference.json")

VOCABS = [("phi-3", "ggml-vocab-phi-3.gguf"), ("qwen2", "ggml-vocab-qwen2.gguf")]

TEXTS = [
    "",
    " ",
    "Für Elise, Dvořák, Débussy, Saint-Saëns",
    "B♭ major, F♯ minor, E𝄫, C𝄪",
    "Cmaj7 → Dm7♭5 → G7(♯9)",
    "和弦进行",
    "ドレミファソラシド",
    "화성학",
    "Great job! 🎹🎶🎸 Keep practising 👏🏽",
    "a  b   c    d",
    "  leading and trailing spaces   ",
    "tab\tseparated\t\tvalues\t",
    "\n\n\n",
    "line1\n\n\nline2\r\n",
    "1234567 beats at 120bpm",
    "don't, I'LL, we've, she'd, they're",
    '{"key": "E♭", "chords": ["ii7", "V7", "Imaj7"]}',
    "<|user|> hi <|end|>",
    "<|im_start|>user<|im_end|>",
    "<s> </s>",
    "<|endoftext|>",
    "<|assistant|>\n<|system|>",
    "Play bars 9–16 at ♩ = 72, then crescendo (pp → ff).",
    "Ääkköset: Sibelius’ «Finlandia» — naïve café",
    "    def scale(root):\n        return [root + s for s in (0, 2, 4, 5, 7, 9, 11)]",
]

SYSTEM = "You are a concise music teacher."
CHATS = [
    [{"role": "user", "content": "Spell a ii–V–I in E♭ major."}],
    [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "What is a perfect fifth above F♯?"},
    ],
    [
        {"role": "user", "content": "Spell a ii–V–I in E♭ major."},
        {"role": "assistant", "content": "Fm7 – B♭7 – E♭maj7."},
        {"role": "user", "content": "Now in C minor, please."},
    ],
    [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Which key has four sharps?"},
        {"role": "assistant", "content": "E major (F♯, C♯, G♯, D♯)."},
        {"role": "user", "content": "And its relative minor?"},
    ],
    # The two conversations above with their system turn folded into the first user turn,
    # as Cadence renders them for a template that has no place for a system turn.
    [{"role": "user", "content": SYSTEM + "\n\nWhat is a perfect fifth above F♯?"}],
    [
        {"role": "user", "content": SYSTEM + "\n\nWhich key has four sharps?"},
        {"role": "assistant", "content": "E major (F♯, C♯, G♯, D♯)."},
        {"role": "user", "content": "And its relative minor?"},
    ],
]

HOW = (
    "texts: Llama(model_path, vocab_only=True).tokenize(text.encode('utf-8'), add_bos=False, "
    "special=False). chats: as Llama.create_chat_completion with the GGUF's tokenizer.chat_template "
    "(chat_format 'chat_template.default'): prompt = Jinja2ChatFormatter(template=tokenizer.chat_template, "
    "eos_token=token_get_text(token_eos()), bos_token=token_get_text(token_bos()), "
    "add_generation_prompt=True)(messages=messages).prompt; the formatter reports added_special=True, so "
    "ids = tokenize(prompt.encode('utf-8'), add_bos=False, special=True); create_completion then adds no "
    "BOS/EOS to a token-list prompt."
)


class Captured(Exception):
    """Raised by the stand-in create_completion to hand back the prompt ids it was given."""

    def __init__(self, ids):
        super().__init__()
        self.ids = ids


def chat_ids_via_create_chat_completion(llm, messages):
    """Runs the real create_chat_completion up to the point where it would evaluate the
    prompt, and returns the token ids it passes to create_completion."""

    def capture(prompt, **_kwargs):
        raise Captured(list(prompt))

    llm.create_completion = capture
    try:
        llm.create_chat_completion(messages=messages)
    except Captured as c:
        return c.ids
    finally:
        del llm.create_completion
    raise RuntimeError("create_chat_completion did not reach create_completion")


def reference(path, name):
    llm = Llama(model_path=path, vocab_only=True, verbose=False)
    template = llm.metadata["tokenizer.chat_template"]
    if llm.chat_format != "chat_template.default":
        sys.exit(f"{name}: llama-cpp-python chose chat format {llm.chat_format!r}, not the GGUF template")
    # llama.py builds the formatter for the GGUF template with these tokens.
    eos, bos = llm.token_eos(), llm.token_bos()
    formatter = Jinja2ChatFormatter(
        template=template,
        eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
        bos_token=llm._model.token_get_text(bos) if bos != -1 else "",
        stop_token_ids=[eos],
    )

    texts = []
    for text in TEXTS:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        back = llm.detokenize(ids).decode("utf-8")
        # SentencePiece (phi-3) puts a space in front of the text; nothing else may change.
        if back not in (text, " " + text):
            sys.exit(f"{name}: {text!r} does not round-trip: {back!r}")
        # Typed text must never become a control token such as <|user|> or <|im_start|>.
        bad = [i for i in ids if llama_cpp.llama_vocab_is_control(llm._model.vocab, i)]
        if bad:
            sys.exit(f"{name}: special token(s) {bad} in plain text {text!r}")
        texts.append({"text": text, "ids": ids})

    chats = []
    for messages in CHATS:
        result = formatter(messages=messages)
        ids = llm.tokenize(
            result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
        )
        real = chat_ids_via_create_chat_completion(llm, messages)
        if real != ids:
            sys.exit(f"{name}: create_chat_completion gave {real}, replication gave {ids}")
        # Phi-3's <|user|>, <|end|>, <|assistant|> carry llama.cpp's RSTRIP attribute: the
        # whitespace after them is dropped, so compare with whitespace removed.
        back = llm.detokenize(ids, special=True).decode("utf-8")
        if "".join(back.split()) != "".join(result.prompt.split()):
            sys.exit(f"{name}: chat prompt does not round-trip: {back!r}")
        chats.append({"messages": messages, "prompt": result.prompt, "ids": ids})

    return {"file": os.path.basename(path), "texts": texts, "chats": chats}


def dump(value, indent=0):
    """JSON with one item per line, but lists of numbers and flat objects kept on one line."""
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {dump(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and not all(isinstance(v, int) for v in value):
        return "[\n" + ",\n".join(inner + dump(v, indent + 1) for v in value) + "\n" + pad + "]"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def main():
    default_dir = os.path.join(ROOT, "tests", "fixtures", "vocab")
    if not os.path.isdir(default_dir):
        default_dir = os.path.join(ROOT, "..", "shared", "vocab")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vocab_dir", nargs="?", default=default_dir)
    ap.add_argument("--out", default=os.path.join(ROOT, OUT))
    args = ap.parse_args()

    doc = {"llama_cpp_python": llama_cpp.__version__, "how": HOW, "vocabs": {}}
    for name, file in VOCABS:
        doc["vocabs"][name] = reference(os.path.join(args.vocab_dir, file), name)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(dump(doc) + "\n")
    counts = ", ".join(f"{n}: {len(v['texts'])} texts, {len(v['chats'])} chats" for n, v in doc["vocabs"].items())
    print(f"wrote {args.out} ({counts})")


if __name__ == "__main__":
    main()
