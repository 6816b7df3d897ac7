#!/usr/bin/env python3
"""Cadence against llama.cpp on the same GGUF, same token ids, same thread count, side by side.

For each round, runs `cadence bench` (prefill of 64 and 512 tokens, decode of 128 tokens after
the 64-token prompt) and then llama.cpp (llama-cpp-python) doing exactly the same work, and
prints a JSON summary with the best figure of each engine and the ratios.

usage:
  python scripts/bench_vs_llama_cpp.py MODEL.gguf [MODEL2.gguf ...] [--threads 2] [--rounds 2]
      [--cadence 'target/release/cadence bench {model} --threads {threads}']

The model of Phi-3.5-mini's widths (4 layers, Q4_K) is written by
  cargo run -p cadence-llm --example synthetic_gguf -- phi35-width.gguf 4 llama
llama-cpp-python 0.3.36 refuses the synthetic phi3 file's vocabulary ("error loading model
vocabulary: unordered_map::at"), so the side-by-side run uses the same widths written with the
llama architecture (separate q/k/v and gate/up: the same matmul work).
needs: pip install llama-cpp-python numpy
A llama-cpp-python compiled for the build machine's own CPU uses AMX where the CPU has it, and
dies with SIGILL in a virtual machine that hides AMX; build it for the instruction sets instead:
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AMX_TILE=OFF
    -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" pip install --no-cache-dir llama-cpp-python
"""
import argparse
import json
import shlex
import subprocess
import time

import numpy as np
from llama_cpp import Llama

PROMPTS = (64, 512)
DECODE = 128


def bench_tokens(count, vocab):
    """The same ids as cadence::llm::bench::bench_tokens."""
    span = max(vocab - 200, 1)
    return [min(100 + (i * 7919 + 13) % span, vocab - 1) for i in range(count)]


def last_logits(llm):
    return np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))


def llama_cpp_round(llm):
    vocab = llm.n_vocab()
    prompt = bench_tokens(max(PROMPTS), vocab)
    prefill = {}
    for n in PROMPTS:
        llm.reset()
        llm._ctx.kv_cache_clear() if hasattr(llm._ctx, "kv_cache_clear") else None
        t = time.perf_counter()
        llm.eval(prompt[:n])
        int(np.argmax(last_logits(llm)))
        prefill[n] = n / (time.perf_counter() - t)
    llm.reset()
    llm.eval(prompt[:PROMPTS[0]])
    token = int(np.argmax(last_logits(llm)))
    t = time.perf_counter()
    for _ in range(DECODE):
        llm.eval([token])
        token = int(np.argmax(last_logits(llm)))
    decode = DECODE / (time.perf_counter() - t)
    return prefill, decode


def cadence_round(command):
    out = subprocess.run(shlex.split(command), check=True, capture_output=True, text=True).stdout
    report = json.loads(out[out.index("{"):])
    prefill = {p["prompt_tokens"]: p["tokens_per_s"] for p in report["prefill"]}
    return prefill, report["decode"]["tokens_per_s"], report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="+")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cadence", default="target/release/cadence bench {model} --threads {threads}")
    args = parser.parse_args()
    summary = []
    for model in args.models:
        llm = Llama(model_path=model, n_ctx=1024, n_batch=512, n_ubatch=512, n_threads=args.threads,
                    n_threads_batch=args.threads, verbose=False)
        llama_cpp_round(llm)  # warm-up: page the weights in
        best = {"cadence": {"decode": 0, **{n: 0 for n in PROMPTS}},
                "llama.cpp": {"decode": 0, **{n: 0 for n in PROMPTS}}}
        report = None
        for _ in range(args.rounds):
            prefill, decode, report = cadence_round(args.cadence.format(model=model, threads=args.threads))
            for n in PROMPTS:
                best["cadence"][n] = max(best["cadence"][n], prefill[n])
            best["cadence"]["decode"] = max(best["cadence"]["decode"], decode)
            prefill, decode = llama_cpp_round(llm)
            for n in PROMPTS:
                best["llama.cpp"][n] = max(best["llama.cpp"][n], prefill[n])
            best["llama.cpp"]["decode"] = max(best["llama.cpp"]["decode"], decode)
        del llm
        row = {"model": model, "threads": args.threads}
        for engine in best:
            row[engine] = {f"prefill_{n}_tok_s": round(best[engine][n], 1) for n in PROMPTS}
            row[engine]["decode_tok_s"] = round(best[engine]["decode"], 1)
        row["ratio"] = {f"prefill_{n}": round(best["cadence"][n] / best["llama.cpp"][n], 2) for n in PROMPTS}
        row["ratio"]["decode"] = round(best["cadence"]["decode"] / best["llama.cpp"]["decode"], 2)
        row["cadence_peak_rss_bytes"] = report.get("peak_rss_bytes")
        row["cadence_load_ms"] = report.get("load_ms")
        row["cadence_ttft_ms"] = report.get("time_to_first_token_ms")
        row["cadence_ttft_prompt_tokens"] = report.get("time_to_first_token_prompt_tokens")
        row["cadence_device"] = report.get("device")
        row["cadence_kernel_path"] = report.get("kernel_path")
        summary.append(row)
        print(json.dumps(row), flush=True)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
