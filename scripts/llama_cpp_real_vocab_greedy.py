#!/usr/bin/env python3
"""Greedy reference tokens from llama.cpp (llama-cpp-python) for the real-vocabulary test models.

Writes tests/fixtures/real_vocab_llama_cpp_greedy.json: for the random-weight Phi-3.5- and
Qwen2.5-shaped models the test suite writes (real vocabularies and chat templates from
tests/fixtures/vocab), and for a few chat conversations, the prompt exactly as
`Llama.create_chat_completion` renders and tokenises it with the GGUF's chat template, and the
first greedy tokens (argmax of the raw logits, EOS not treated specially) with the lead of
the top logit over the runner-up at each step.

make the models with
  cargo run -p cadence-llm --example synthetic_gguf -- \\
      phi35-shaped.gguf phi35 tests/fixtures/vocab/ggml-vocab-phi-3.gguf
  cargo run -p cadence-llm --example synthetic_gguf -- \\
      qwen25-shaped.gguf qwen25 tests/fixtures/vocab/ggml-vocab-qwen2.gguf

Weights stay in llama.cpp's plain CPU buffers (use_extra_bufts=False, llama-cli's --no-repack),
so the reference does not hang on whether the machine gets AMX or repacked kernels (llama.cpp's
AMX kernels also die with SIGILL in VMs that advertise AMX without enabling it).

usage: python scripts/llama_cpp_real_vocab_greedy.py PHI35.gguf QWEN25.gguf [--out OUT.json]
needs: pip install llama-cpp-python numpy
"""
import argparse
import contextlib
import hashlib
import json
import os

import numpy as np
import llama_cpp
from llama_cpp import Llama
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

STEPS = 24
THREADS = 2
SYSTEM = "You are a concise music teacher."

CONVERSATIONS = [
    [{"role": "user", "content": "Spell a ii–V–I in E♭ major."}],
    [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "What is a perfect fifth above F♯?"},
    ],
    [
        {"role": "user", "content": "Which notes make a C major triad?"},
        {"role": "assistant", "content": "C, E and G."},
        {"role": "user", "content": "And its first inversion?"},
    ],
    [{"role": "user", "content": "Explique l'accord de septième — 和弦 in D♭."}],
]

HOW = (
    "llama-cpp-python {version}: Llama(model_path, n_ctx=2048, n_threads=2, n_threads_batch=2, "
    "logits_all=True, flash_attn=False, verbose=False, seed=0), with llama_model_params.use_extra_bufts "
    "= False (weights in plain CPU buffers: no AMX or repacked kernels). The prompt is rendered as "
    "create_chat_completion does: Jinja2ChatFormatter(template=metadata['tokenizer.chat_template'], "
    "eos_token=token_get_text(token_eos()), bos_token=token_get_text(token_bos()), "
    "add_generation_prompt=True)(messages=...).prompt, then tokenize(prompt.encode('utf-8'), "
    "add_bos=False, special=True) (checked against create_chat_completion's own prompt tokens). "
    "reset(); eval(prompt_tokens) as one batch; then {steps} times: token = argmax(scores[n_tokens-1]) "
    "(raw logits: no penalties, no sampling, no stop at EOS), margin = top logit - second-highest "
    "logit, eval([token]). Cases with folded_from (phi35 only, whose template drops system turns) "
    "carry the system text joined to the first user turn with a blank line, as Cadence sends it."
)


def fold_system(messages):
    """The conversation with its system turn folded into the first user turn."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    rest[0]["content"] = system + "\n\n" + rest[0]["content"]
    return rest


def chat_completion_prompt_tokens(llm, messages):
    """The prompt tokens create_chat_completion itself hands to create_completion."""
    seen = {}

    class Captured(Exception):
        pass

    def capture(*args, **kwargs):
        seen["prompt"] = list(kwargs["prompt"])
        raise Captured

    llm.create_completion = capture
    try:
        llm.create_chat_completion(messages=messages, max_tokens=1)
    except Captured:
        pass
    finally:
        del llm.create_completion
    return seen["prompt"]


def greedy(llm, prompt_tokens):
    llm.reset()
    assert len(prompt_tokens) <= llm.n_batch
    llm.eval(prompt_tokens)
    generated, margins = [], []
    for step in range(STEPS):
        logits = llm.scores[llm.n_tokens - 1]
        token = int(np.argmax(logits))
        top2 = np.partition(logits, -2)[-2:]
        generated.append(token)
        margins.append(round(float(top2[1]) - float(top2[0]), 5))
        if step + 1 < STEPS:
            llm.eval([token])
    return generated, margins


@contextlib.contextmanager
def plain_cpu_buffers():
    """Models loaded inside get use_extra_bufts = False (Llama has no argument for it)."""
    default = llama_cpp.llama_cpp.llama_model_default_params

    def params():
        p = default()
        p.use_extra_bufts = False
        return p

    llama_cpp.llama_cpp.llama_model_default_params = params
    try:
        yield
    finally:
        llama_cpp.llama_cpp.llama_model_default_params = default


def run_model(path, fold):
    with plain_cpu_buffers():
        llm = Llama(model_path=path, n_ctx=2048, n_threads=THREADS, n_threads_batch=THREADS,
                    logits_all=True, flash_attn=False, verbose=False, seed=0)
    assert not llm.model_params.use_extra_bufts
    assert llm.chat_format == "chat_template.default", llm.chat_format
    formatter = Jinja2ChatFormatter(
        template=llm.metadata["tokenizer.chat_template"],
        eos_token=llm._model.token_get_text(llm.token_eos()),
        bos_token=llm._model.token_get_text(llm.token_bos()),
        add_generation_prompt=True,
    )
    conversations = []
    for messages in CONVERSATIONS:
        conversations.append((messages, None))
        if fold and any(m["role"] == "system" for m in messages):
            conversations.append((fold_system(messages), len(conversations) - 1))
    cases = []
    for messages, folded_from in conversations:
        text = formatter(messages=messages).prompt
        prompt = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        assert prompt == chat_completion_prompt_tokens(llm, messages), messages
        generated, margins = greedy(llm, prompt)
        case = {"messages": messages}
        if folded_from is not None:
            case["folded_from"] = folded_from
        case.update(prompt_text=text, prompt_tokens=prompt, generated_tokens=generated,
                    margins=margins)
        cases.append(case)
        print(f"{os.path.basename(path)} case {len(cases) - 1}: {len(prompt)} prompt tokens, "
              f"min margin {min(margins):.5f}, "
              f"{json.dumps(llm.detokenize(generated).decode('utf-8', 'replace'))[:80]}")
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    return {"file": os.path.basename(path), "sha256": sha, "cases": cases}


def dump(value, indent=0):
    """JSON with objects spread over lines and every list on one line."""
    if isinstance(value, dict):
        pad = " " * (indent + 1)
        items = [f"{pad}{json.dumps(k)}: {dump(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    return json.dumps(value, ensure_ascii=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("phi35", help="phi35-shaped.gguf")
    parser.add_argument("qwen25", help="qwen25-shaped.gguf")
    parser.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
        "real_vocab_llama_cpp_greedy.json"))
    args = parser.parse_args()
    fixture = {
        "llama_cpp_python": llama_cpp.__version__,
        "how": HOW.format(version=llama_cpp.__version__, steps=STEPS),
        "models": {
            "phi35": run_model(args.phi35, fold=True),
            "qwen25": run_model(args.qwen25, fold=False),
        },
    }
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(dump(fixture) + "\n")
    print(os.path.normpath(args.out))


if __name__ == "__main__":
    main()
