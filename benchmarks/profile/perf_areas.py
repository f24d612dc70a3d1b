#!/usr/bin/env python3
"""Where the bench host's CPU goes, from `perf script -F comm,tid,ip,sym,dso` output (perf record -g, frame pointers).

Each sample is charged to one area: the thread it ran on when that says enough (background JIT, the console logger),
else the nearest frame from the leaf that belongs to a known area (so an allocation or a copy is charged to the code
that asked for it), else what the leaf is (a system call by name, OpenSSL, the CLR runtime). Managed names come from
the runtime's perf map (DOTNET_PerfMapEnabled=1). Prints the areas, the leaf kinds, and the top managed frames.
Usage: perf_areas.py perf.txt
"""
import collections
import re
import sys

AREAS = [
    ('signing (RSA/ECDSA, JWT building)', r'TokenFunction\.Signing|RsaSignHash|EcDsaSign|System\.Security\.Cryptography\.(RSA|ECDsa)'),
    ('logging', r'Microsoft\.Extensions\.Logging|LoggerMessage'),
    ('Tables: REST client, entity (de)serialization', r'\[Azure\.Data\.Tables\]'),
    ('Azure.Core pipeline (policies, SharedKey signing, diagnostics)', r'\[Azure\.Core\]'),
    ('HttpClient to storage', r'\[System\.Net\.Http\]'),
    ('Kestrel / HTTP serving', r'Kestrel|System\.IO\.Pipelines'),
    ('ASP.NET Core (routing, results)', r'\[Microsoft\.AspNetCore'),
    ('JSON (System.Text.Json)', r'System\.Text\.Json'),
    ('bench host counting (BenchHost, MeterListener)', r'\[BenchHost\]|MeterListener|System\.Diagnostics\.Metrics'),
    ('our code (TokenFunction)', r'\[TokenFunction\]'),
    ('sockets', r'System\.Net\.Sockets'),
]


def read(path):
    samples, current = [], None
    for line in open(path, errors='replace'):
        if not line.strip():
            continue
        if not line.startswith(('\t', ' ')):
            current = {'thread': re.sub(r'\s+\d+\s*$', '', line.rstrip()), 'frames': []}
            samples.append(current)
            continue
        match = re.match(r'\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$', line)
        if match and current is not None:
            current['frames'].append((match.group(1), match.group(2).split('/')[-1]))
    return samples


def area(sample):
    thread, frames = sample['thread'], sample['frames']
    if thread.startswith('.NET Tiered Com'):
        return 'JIT: background tier-up compilation'
    if thread.startswith('Console logger'):
        return 'logging (console logger thread)'
    if frames and frames[0][1] == 'libclrjit.so':
        return 'JIT: foreground'
    for symbol, _ in frames:
        for name, pattern in AREAS:
            if re.search(pattern, symbol):
                if name == 'sockets':  # which side of the network?
                    for other, _ in frames:
                        if 'Kestrel' in other or 'System.IO.Pipelines' in other:
                            return 'Kestrel / HTTP serving'
                        if '[System.Net.Http]' in other:
                            return 'HttpClient to storage'
                return name
    symbols = [s for s, _ in frames]
    leaf = frames[0][1] if frames else '?'
    if any('sched_yield' in s for s in symbols):
        return 'thread pool spin-wait (sched_yield)'
    if any('futex' in s or 'lll_lock' in s or 'pthread_cond' in s for s in symbols):
        return 'thread wake-up and wait (futex)'
    if any(s.startswith(('__x64_sys_sendto', '__x64_sys_recvfrom', '__x64_sys_epoll', '__x64_sys_write', '__x64_sys_read'))
           or s in ('__send', '__libc_recv', 'epoll_wait', 'read', '__GI___libc_write') for s in symbols):
        return 'network system calls (send, recv, epoll)'
    if leaf == 'libcrypto.so.3':
        return 'OpenSSL (mostly the RSA private-key operation)'
    if leaf == 'libcoreclr.so':
        return 'CLR runtime (GC, allocation, casts, stubs)'
    if leaf == '[kernel.kallsyms]':
        return 'kernel, other (interrupts, page faults)'
    if leaf.startswith(('libc.so', 'ld-linux')):
        return 'libc, other (memset, memcpy, malloc)'
    return 'other managed (thread pool, async plumbing)'


def managed(symbol):
    match = re.search(r'(\[[^\]]+\]\s+[^\s(]+::[^\s(]+)', symbol)
    return match.group(1) if match else None


def main():
    samples = read(sys.argv[1])
    total = len(samples)
    print(f'{total} samples')
    print('\n== by area (each sample charged once)')
    for name, count in collections.Counter(area(s) for s in samples).most_common():
        print(f'{count * 100 / total:6.1f}%  {name}')
    print('\n== top managed frames at the leaf (exclusive)')
    leaves = collections.Counter(managed(s['frames'][0][0]) for s in samples if s['frames'])
    leaves.pop(None, None)
    for name, count in leaves.most_common(20):
        print(f'{count * 100 / total:6.1f}%  {name}')


if __name__ == '__main__':
    main()
