#!/usr/bin/env python3
"""video-ingest benchmarks, side by side with the ffmpeg/curl command line (issue 5).

Usage: Benchmarks/run [--bin PATH] [--out FILE] [--smoke] [--rows a,b,...] [--pairs N] [--keep]

Every row runs the project and its peer alternately (pair i runs the project first when i is
even, the peer first when odd), reports medians and the ratio project/peer of each pair. Inputs
are made by SampleMedia/make-samples.sh --bench at run time, in a temporary folder.
--smoke: tiny inputs, one pair, small counts; checks that the harness works (seconds).
Only the standard library is used, except by the webhooks row's receiver
(Tests/WebhookReceiver/receiver.py, run by the venv's Python with standardwebhooks: `make deps`).
"""
import argparse
import datetime
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ROWS = ["optimize", "hdr", "remux", "probe", "job", "throughput", "download", "s3upload", "intake", "failing", "memory", "query",
        "webhooks", "http", "claims", "pgquery"]


def log(*parts):
    print("[bench]", *parts, file=sys.stderr, flush=True)


def now():
    return time.monotonic()


def run(cmd, ok=(0,), env=None, capture=True):
    """Runs cmd; returns (wall seconds, stdout). Raises when the exit status is not in ok."""
    start = now()
    p = subprocess.run(cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=env, text=True)
    wall = now() - start
    if ok is not None and p.returncode not in ok:
        raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), p.returncode, (p.stderr or "")[-800:]))
    return wall, (p.stdout or ""), p.returncode


def median(values):
    return statistics.median(values) if values else float("nan")


def alternate(pairs, project, peer):
    """Runs project() and peer() `pairs` times, alternating which goes first; returns both lists."""
    ours, theirs = [], []
    for i in range(pairs):
        if i % 2 == 0:
            ours.append(project(i)); theirs.append(peer(i))
        else:
            theirs.append(peer(i)); ours.append(project(i))
    return ours, theirs


def fmt_s(x):
    return "%.2f s" % x if x >= 0.1 else "%.1f ms" % (x * 1000)


def ratios(ours, theirs):
    return [o / t for o, t in zip(ours, theirs)]


def fmt_ratios(rs):
    return "%.2f (%s)" % (median(rs), ", ".join("%.2f" % r for r in rs))


# ---------------------------------------------------------------------------------------------
class Env:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.abspath(args.bin)
        self.smoke = args.smoke
        self.pairs = args.pairs or (1 if args.smoke else 3)
        self.work = tempfile.mkdtemp(prefix="video-ingest-bench-", dir=args.work)
        self.inputs = os.path.join(self.work, "inputs")
        self.server = None
        self.port = None
        self.results = []  # table rows
        self.details = []  # extra lines

    def make_inputs(self):
        cmd = [os.path.join(ROOT, "SampleMedia", "make-samples.sh"), "--bench", self.inputs]
        if self.smoke:
            cmd.append("--smoke")
        wall, _, _ = run(cmd)
        log("inputs made in %.1f s" % wall)
        self.details.append("Inputs made by `SampleMedia/make-samples.sh --bench` in %.0f s (not timed in any row)." % wall)

    def start_server(self):
        self.server = subprocess.Popen([sys.executable, os.path.join(HERE, "serve.py"), self.inputs],
                                       stdout=subprocess.PIPE, text=True)
        self.port = int(self.server.stdout.readline())

    def url(self, name):
        return "http://127.0.0.1:%d/%s" % (self.port, name)

    def input(self, name):
        return os.path.join(self.inputs, name)

    def cleanup(self):
        if self.server:
            self.server.terminate()
            self.server.wait()
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)

    def add(self, row, project, peer, ratio, goal, verdict, note=""):
        self.results.append((row, project, peer, ratio, goal, verdict, note))
        log("%s | %s | %s | %s | %s | %s | %s" % (row, project, peer, ratio, goal, verdict, note))


# ---------------------------------------------------------------------------------------------
class Daemon:
    """A video-ingest daemon on a fresh spool and config, driven through the drop folder."""

    def __init__(self, env, name, workers=2, extra=None):
        self.env = env
        self.root = os.path.join(env.work, name)
        self.spool = os.path.join(self.root, "var")
        os.makedirs(self.spool)
        config = {
            "spoolDirectory": self.spool, "workers": workers,
            "download": {"allowedNetworks": ["127.0.0.1/32"], "retries": 0},
            "intake": {"storeFrontCodes": ["TR"], "createsPerMinutePerSeller": 1000000, "rescanSeconds": 0.5},
        }
        for k, v in (extra or {}).items():
            config.setdefault(k, {}).update(v) if isinstance(v, dict) else config.__setitem__(k, v)
        self.config = os.path.join(self.root, "ingest.json")
        with open(self.config, "w") as f:
            json.dump(config, f)
        self.start()
        self.counter = 0
        # Ready when a drop gets its receipt.
        vid = self.receipt(*self.drop("warmup", env.url("does-not-exist.mp4")), timeout=30)
        self.final(vid, timeout=30)

    def start(self):
        """Starts the daemon process (again, after `stop`, on the same spool and config)."""
        self.log = open(os.path.join(self.root, "daemon.log"), "a")
        self.proc = subprocess.Popen([self.env.bin, "daemon", "--config", self.config, "--spool", self.spool],
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def body(self, url):
        return {"title": "Benchmark video", "videoUrl": url, "productContentIds": ["p-1"], "storeFrontCode": "TR"}

    def prepare(self, seller, url, key=None):
        """Writes a drop under a dot-name (ignored by the daemon); returns (tmp, final, seller, key)."""
        self.counter += 1
        key = key or "k%06d" % self.counter
        folder = os.path.join(self.spool, "inbox", seller)
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, "." + key + ".tmp")
        with open(tmp, "w") as f:
            json.dump(self.body(url), f)
        return tmp, os.path.join(folder, key + ".json"), seller, key

    def drop(self, seller, url):
        tmp, final, seller, key = self.prepare(seller, url)
        os.rename(tmp, final)
        return seller, key

    def receipt_path(self, seller, key):
        return os.path.join(self.spool, "receipts", seller, key + ".json")

    def receipt(self, seller, key, timeout=60):
        path = self.receipt_path(seller, key)
        end = now() + timeout
        while now() < end:
            try:
                with open(path) as f:
                    return json.load(f)["videoId"]
            except (FileNotFoundError, ValueError, KeyError):
                self.check_alive()
                time.sleep(0.005)
        raise RuntimeError("no receipt for %s/%s" % (seller, key))

    def final(self, vid, timeout=300):
        path = os.path.join(self.spool, "status", vid + ".json")
        end = now() + timeout
        while now() < end:
            try:
                with open(path) as f:
                    doc = json.load(f)
                if doc["status"] != "IN_PROGRESS":
                    return doc
            except (FileNotFoundError, ValueError):
                pass
            self.check_alive()
            time.sleep(0.01)
        raise RuntimeError("video %s did not finish" % vid)

    def counts(self):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.spool, "state", "ingest.sqlite"), uri=True, timeout=5)
        try:
            return dict(db.execute("SELECT status, COUNT(*) FROM videos GROUP BY status").fetchall())
        finally:
            db.close()

    def check_alive(self):
        if self.proc.poll() is not None:
            raise RuntimeError("the daemon exited with %s (log: %s)" % (self.proc.returncode, self.log.name))

    def vmhwm_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------------
def ffprobe_video(path):
    _, out, _ = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                     "stream=width,height,avg_frame_rate", "-of", "json", path])
    s = json.loads(out)["streams"][0]
    num, den = (int(x) for x in s["avg_frame_rate"].split("/"))
    return s["width"], s["height"], (num / den if den else 30.0)


def fit(w, h, cap=720):
    short, long_ = min(w, h), max(w, h)
    if short > cap:
        long_ = int(round(long_ * cap / short))
        short = cap
    short, long_ = max(2, short & ~1), max(2, long_ & ~1)
    return (long_, short) if w > h else (short, long_)


def ssim(output, source, w, h, seconds):
    lavfi = "[1:v]scale=%d:%d:flags=bicubic,format=yuv420p[ref];[0:v]format=yuv420p[out];[out][ref]ssim" % (w, h)
    cmd = ["ffmpeg", "-hide_banner", "-nostats", "-t", str(seconds), "-i", output, "-t", str(seconds), "-i", source,
           "-lavfi", lavfi, "-f", "null", "-"]
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = re.search(r"All:([0-9.]+)", p.stderr)
    if not m:
        raise RuntimeError("no SSIM from %s" % " ".join(cmd))
    return float(m.group(1))


def optimize_config(env):
    path = os.path.join(env.work, "optimize.json")
    if not os.path.exists(path):
        with open(path, "w") as f:
            json.dump({"optimization": {"maxHeight": 720, "maxFrameRate": 30, "crf": 23, "preset": "veryfast"}}, f)
    return path


def ours_optimize(env, source, out_dir):
    shutil.rmtree(out_dir, ignore_errors=True)
    wall, out, _ = run([env.bin, "optimize", source, out_dir, "--config", optimize_config(env)])
    return wall, json.loads(out)


def peer_optimize_cmd(source, out, vf, fps, extra=()):
    """The ffmpeg command line doing the optimizer's transcode: `vf`, ≤ 30 fps, x264 veryfast CRF 23 High, 2 s GOP, AAC."""
    gop = max(1, round(2 * min(fps, 30)))
    return (["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", source, "-map", "0:v:0", "-map", "0:a:0?",
             "-vf", vf, "-fpsmax", "30",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high", "-pix_fmt", "yuv420p"]
            + list(extra) + ["-g", str(gop), "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000",
                             "-map_metadata", "-1", "-movflags", "+faststart", out])


def transcode_project(env, source, ours_dir, internal, what):
    """One timed `video-ingest optimize` that must transcode; records its in-process time in `internal`."""
    def project(i):
        wall, doc = ours_optimize(env, source, ours_dir)
        assert not doc["fastPath"], "the %s input took the fast path" % what
        internal.append(doc["wallSeconds"])
        return wall
    return project


def row_optimize(env):
    inputs = [("10 s 1080p H.264", "h264_1080p_10s.mp4"), ("60 s 1080p H.264", "h264_1080p_60s.mp4"),
              ("30 s 720p mpeg4 mov", "mpeg4_720p_30s.mov")]
    if env.smoke:
        inputs = inputs[:1]
    for label, name in inputs:
        source = env.input(name)
        w, h, fps = ffprobe_video(source)
        tw, th = fit(w, h)
        ours_dir = os.path.join(env.work, "opt-ours")
        peer_out = os.path.join(env.work, "opt-peer.mp4")
        peer_cmd = peer_optimize_cmd(source, peer_out, "scale=%d:%d:flags=bicubic" % (tw, th), fps)
        internal = []
        project = transcode_project(env, source, ours_dir, internal, "optimize row's")

        ours, theirs = alternate(env.pairs, project, lambda i: run(peer_cmd)[0])
        ours_file = os.path.join(ours_dir, "video_hd.mp4")
        size_ours, size_peer = os.path.getsize(ours_file), os.path.getsize(peer_out)
        seconds = 3 if env.smoke else 10
        s_ours, s_peer = ssim(ours_file, source, tw, th, seconds), ssim(peer_out, source, tw, th, seconds)
        rs = ratios(ours, theirs)
        size_delta = size_ours / size_peer - 1
        ok = median(rs) <= 0.92 and abs(size_delta) <= 0.05 and abs(s_ours - s_peer) <= 0.005
        env.add("optimize, %s → %dx%d" % (label, tw, th), fmt_s(median(ours)), fmt_s(median(theirs)), fmt_ratios(rs),
                "≤ 0.92, size ±5 %, SSIM ±0.005", "met" if ok else "missed",
                "size %.2f MB vs %.2f MB (%+.1f %%); SSIM %.4f vs %.4f (Δ %+.4f, first %d s); in-process %s"
                % (size_ours / 1e6, size_peer / 1e6, size_delta * 100, s_ours, s_peer, s_ours - s_peer, seconds,
                   fmt_s(median(internal))))


# The tone-map both sides run: the same text as MediaKit's VideoFilters.toneMap (keep them equal).
TONE_MAP = ("zscale=w={w}:h={h}:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
            "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv:dither=ordered,format=yuv420p")


def row_hdr(env):
    source = env.input("hdr10_pq_1080p_10s.mov")
    w, h, fps = ffprobe_video(source)
    tw, th = fit(w, h)
    ours_dir = os.path.join(env.work, "hdr-ours")
    peer_out = os.path.join(env.work, "hdr-peer.mp4")
    peer_cmd = peer_optimize_cmd(source, peer_out, TONE_MAP.format(w=tw, h=th), fps,
                                 ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv"])
    internal = []
    project = transcode_project(env, source, ours_dir, internal, "HDR")

    ours, theirs = alternate(env.pairs, project, lambda i: run(peer_cmd)[0])
    ours_file = os.path.join(ours_dir, "video_hd.mp4")
    _, tags, _ = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                      "stream=pix_fmt,color_transfer,color_primaries", "-of", "csv=p=0", ours_file])
    seconds = 3 if env.smoke else 10
    # Both sides tone-map with the same chain, so the peer's output is the reference picture.
    s_ours = ssim(ours_file, peer_out, tw, th, seconds)
    size_ours, size_peer = os.path.getsize(ours_file), os.path.getsize(peer_out)
    rs = ratios(ours, theirs)
    ok = median(rs) <= 1.0 and s_ours >= 0.98 and tags.strip() == "yuv420p,bt709,bt709"
    env.add("optimize, 10 s 1080p HDR10 (PQ, 10-bit HEVC) → SDR BT.709 %dx%d" % (tw, th), fmt_s(median(ours)),
            fmt_s(median(theirs)), fmt_ratios(rs), "≤ 1.00, SSIM vs the peer ≥ 0.98", "met" if ok else "missed",
            "same zscale/tonemap (Hable) chain both sides; SSIM against the peer's picture %.4f (first %d s); "
            "size %.2f MB vs %.2f MB; tags %s; in-process %s"
            % (s_ours, seconds, size_ours / 1e6, size_peer / 1e6, tags.strip(), fmt_s(median(internal))))


def row_remux(env):
    source = env.input("h264_720p_compliant_120s.mp4")
    ours_dir = os.path.join(env.work, "remux-ours")
    peer_out = os.path.join(env.work, "remux-peer.mp4")
    peer_cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", source, "-map", "0:v:0", "-map", "0:a:0?",
                "-c", "copy", "-map_metadata", "-1", "-movflags", "+faststart", peer_out]

    internal = []

    def project(i):
        wall, doc = ours_optimize(env, source, ours_dir)
        assert doc["fastPath"], "the compliant input did not take the fast path"
        internal.append(doc["wallSeconds"])
        return wall

    ours, theirs = alternate(max(env.pairs, 3) if not env.smoke else 1, project, lambda i: run(peer_cmd)[0])
    rs = ratios(ours, theirs)
    env.add("remux fast path, 120 s 720p compliant mp4", fmt_s(median(ours)), fmt_s(median(theirs)), fmt_ratios(rs),
            "≤ 0.90", "met" if median(rs) <= 0.90 else "missed",
            "process wall; the project also writes the poster and re-probes; in-process (as in the daemon) %s, %.2f of the peer's process"
            % (fmt_s(median(internal)), median(internal) / median(theirs)))


def row_probe(env):
    source = env.input("h264_1080p_10s.mp4")
    in_process, cli = [], []

    def project(i):
        _, out, _ = run([env.bin, "bench", "probe", source, "--iterations", "20"])
        in_process.append(json.loads(out)["ms"]["median"] / 1000)
        cli.append(run([env.bin, "probe", source])[0])
        return in_process[-1]

    def peer(i):
        return run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", source])[0]

    ours, theirs = alternate(max(env.pairs, 5) if not env.smoke else 1, project, peer)
    rs = ratios(ours, theirs)
    env.add("probe, 10 s 1080p mp4", fmt_s(median(ours)) + " in-process", fmt_s(median(theirs)) + " `ffprobe` process",
            fmt_ratios(rs), "report", "reported", "`video-ingest probe` process: %s" % fmt_s(median(cli)))


def row_job(env):
    files = [("1080p H.264", "h264_1080p_10s.mp4", "SUCCESS", 0), ("720p compliant", "h264_720p_compliant_10s.mp4", "SUCCESS", 0),
             ("mpeg4 mov", "mpeg4_720p_10s.mov", "SUCCESS", 0), ("too short", "too_short_3s.mp4", "FAILED", 12),
             ("avi renamed .mp4", "avi_renamed.mp4", "FAILED", 11)]
    daemon = Daemon(env, "job", workers=1)
    peer_dir = os.path.join(env.work, "job-peer")
    per_file = []
    try:
        sum_ours, sum_peer = [0.0] * env.pairs, [0.0] * env.pairs
        for label, name, expected, peer_rc in files:
            def project(i):
                start = now()
                vid = daemon.receipt(*daemon.drop("seller-job", env.url(name)))
                doc = daemon.final(vid)
                wall = now() - start
                assert doc["status"] == expected, "%s ended %s (%s)" % (name, doc["status"], doc.get("errorCode"))
                return wall

            def peer(i):
                shutil.rmtree(peer_dir, ignore_errors=True)
                wall, _, _ = run([os.path.join(HERE, "peer-job.sh"), env.url(name), peer_dir], ok=(peer_rc,))
                return wall

            ours, theirs = alternate(env.pairs, project, peer)
            for i in range(env.pairs):
                sum_ours[i] += ours[i]
                sum_peer[i] += theirs[i]
            per_file.append("%s %s/%s" % (label, fmt_s(median(ours)), fmt_s(median(theirs))))
    finally:
        daemon.stop()
    rs = ratios(sum_ours, sum_peer)
    env.add("one whole job, sum of 5 files", fmt_s(median(sum_ours)), fmt_s(median(sum_peer)), fmt_ratios(rs),
            "≤ 0.60", "met" if median(rs) <= 0.60 else "missed", "; ".join(per_file))


def mix_names(smoke):
    if smoke:
        return ["mix_h264_9s.mp4", "mix_mpeg4_9s.mov", "too_short_3s.mp4", "avi_renamed.mp4"]
    return (["mix_h264_9s.mp4"] * 10 + ["mix_mpeg4_9s.mov"] * 6 + ["too_short_3s.mp4"] * 2 + ["avi_renamed.mp4"] * 2)


def row_throughput(env):
    names = mix_names(env.smoke)
    settings = [2] if env.smoke else [1, 2, 4]
    best = {}
    lines = []
    for workers in settings:
        daemon = Daemon(env, "throughput-%d" % workers, workers=workers)
        peer_root = os.path.join(env.work, "throughput-peer")
        try:
            def project(i):
                drops = [daemon.prepare("seller-mix", env.url(n)) for n in names]
                start = now()
                for tmp, final, _, _ in drops:
                    os.rename(tmp, final)
                for _, _, seller, key in drops:
                    daemon.final(daemon.receipt(seller, key))
                return len(names) / (now() - start) * 60

            def peer(i):
                shutil.rmtree(peer_root, ignore_errors=True)
                os.makedirs(peer_root)
                env_vars = dict(os.environ, PEER_OUT=peer_root)
                start = now()
                p = subprocess.run(["xargs", "-P", str(workers), "-n", "1", os.path.join(HERE, "peer-job.sh")],
                                   input="\n".join(env.url(n) for n in names), text=True, env=env_vars,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                assert p.returncode in (0, 123), "xargs exited %d" % p.returncode
                return len(names) / (now() - start) * 60

            ours, theirs = alternate(env.pairs, project, peer)
        finally:
            daemon.stop()
        best[workers] = (median(ours), median(theirs))
        lines.append("workers %d: %.1f vs `xargs -P %d` %.1f videos/min (ratios %s)"
                     % (workers, median(ours), workers, median(theirs), ", ".join("%.2f" % r for r in ratios(ours, theirs))))
    top_ours = max(v[0] for v in best.values())
    top_peer = max(v[1] for v in best.values())
    # The default: the fewest workers within 3 % of the best rate.
    pick = min(w for w in settings if best[w][0] >= 0.97 * top_ours)
    ratio = top_ours / top_peer
    env.add("throughput, %d-video mix" % len(names), "%.1f videos/min (best)" % top_ours, "%.1f videos/min (best)" % top_peer,
            "%.2f" % ratio, "≥ 1.05× best script", "met" if ratio >= 1.05 else "missed",
            "; ".join(lines) + "; suggested default workers: %d" % pick)


def row_download(env):
    size = 5_000_000 if env.smoke else 500_000_000
    url = env.url("bytes/%d" % size)
    dest = os.path.join(env.work, "download.bin")
    internal = []

    def project(i):
        wall, out, _ = run([env.bin, "bench", "download", url, dest])
        doc = json.loads(out)
        assert doc["bytes"] == size
        internal.append(doc["megabytesPerSecond"])
        os.unlink(dest)
        return size / wall / 1e6

    def peer(i):
        wall, _, _ = run(["curl", "-sSf", "-o", dest, url])
        assert os.path.getsize(dest) == size
        os.unlink(dest)
        return size / wall / 1e6

    ours, theirs = alternate(env.pairs, project, peer)
    rs = ratios(ours, theirs)
    # Peak RSS of a daemon downloading the same body as a job (it then fails the format check).
    daemon = Daemon(env, "download", workers=1)
    try:
        idle = daemon.vmhwm_kb()
        start = now()
        doc = daemon.final(daemon.receipt(*daemon.drop("seller-dl", url)))
        job_wall = now() - start
        peak = daemon.vmhwm_kb()
    finally:
        daemon.stop()
    growth_mb = (peak - idle) / 1024
    ok = median(rs) >= 0.95 and growth_mb < 64
    env.add("download %d MB from 127.0.0.1" % (size // 1_000_000), "%.0f MB/s" % median(ours), "%.0f MB/s `curl -o`" % median(theirs),
            fmt_ratios(rs), "≥ 0.95; daemon peak RSS < 64 MB above idle", "met" if ok else "missed",
            "in-process %.0f MB/s; daemon VmHWM idle %.1f MB → peak %.1f MB (+%.1f MB); the job took %s (%s)"
            % (median(internal), idle / 1024, peak / 1024, growth_mb, fmt_s(job_wall), doc.get("errorCode")))


class SeaweedFS:
    """SeaweedFS's `weed server -s3` from .build/venv (make deps) on 127.0.0.1, in its own process group."""
    KEY, SECRET = "BENCHKEY", "bench-secret-not-real"

    def __init__(self, env):
        self.weed = os.path.join(ROOT, ".build", "venv", "bin", "weed")
        if not os.access(self.weed, os.X_OK):
            raise RuntimeError("no SeaweedFS at %s (make deps)" % self.weed)
        self.root = os.path.join(env.work, "seaweedfs")
        os.makedirs(os.path.join(self.root, "data"))
        with open(os.path.join(self.root, "s3.json"), "w") as f:
            json.dump({"identities": [{"name": "bench", "credentials": [{"accessKey": self.KEY, "secretKey": self.SECRET}],
                                       "actions": ["Admin", "Read", "Write", "List"]}]}, f)
        ports = self.free_ports(4)
        self.endpoint = "http://127.0.0.1:%d" % ports[3]
        cmd = [self.weed, "server", "-s3", "-dir", os.path.join(self.root, "data"), "-ip", "127.0.0.1", "-ip.bind", "127.0.0.1",
               "-master.port", str(ports[0]), "-volume.port", str(ports[1]), "-filer.port", str(ports[2]), "-s3.port", str(ports[3]),
               "-s3.port.iceberg", "0", "-s3.port.lance", "0", "-s3.config", os.path.join(self.root, "s3.json"),
               "-master.telemetry=false", "-master.volumeSizeLimitMB", "1024", "-volume.max", "100", "-volume.preStopSeconds", "0"]
        self.log = open(os.path.join(self.root, "weed.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = now() + 60
        while now() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("weed server exited at start-up")
            _, _, code = run(self.curl("-X", "PUT", self.endpoint + "/bench"), ok=None)
            if code == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("weed server did not come up in 60 s")

    @staticmethod
    def free_ports(count):
        for _ in range(200):
            base = __import__("random").randint(20000, 45000)
            candidates = list(range(base, base + count))
            ok = True
            for p in candidates + [c + 10000 for c in candidates]:
                with socket.socket() as sock:
                    try:
                        sock.bind(("127.0.0.1", p))
                    except OSError:
                        ok = False
            if ok:
                return candidates
        raise RuntimeError("no free ports")

    def curl(self, *args):
        return ["curl", "-sSf", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", self.KEY + ":" + self.SECRET,
                "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"] + list(args)

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.log.close()


def row_s3upload(env):
    size = 5_000_000 if env.smoke else 200_000_000
    path = os.path.join(env.work, "upload.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(size))
    server = SeaweedFS(env)
    environment = dict(os.environ, AWS_ACCESS_KEY_ID=SeaweedFS.KEY, AWS_SECRET_ACCESS_KEY=SeaweedFS.SECRET)
    internal = []
    try:
        # The first write to a new bucket makes SeaweedFS grow its volumes (about a second): warm it up
        # untimed, so that neither side pays for it.
        run(server.curl("-o", "/dev/null", "-T", path, server.endpoint + "/bench/warm-up.bin"))

        def project(i):
            wall, out, _ = run([env.bin, "bench", "upload", server.endpoint, "bench", path, "ours-%d.bin" % i], env=environment)
            doc = json.loads(out)
            assert doc["bytes"] == size, doc
            internal.append(doc["megabytesPerSecond"])
            return size / wall / 1e6

        def peer(i):
            wall, _, _ = run(server.curl("-o", "/dev/null", "-T", path, server.endpoint + "/bench/curl-%d.bin" % i))
            return size / wall / 1e6

        ours, theirs = alternate(env.pairs, project, peer)
    finally:
        server.stop()
    rs = ratios(ours, theirs)
    env.add("s3 upload %d MB to SeaweedFS on 127.0.0.1" % (size // 1_000_000), "%.0f MB/s" % median(ours),
            "%.0f MB/s `curl --aws-sigv4 -T`" % median(theirs), fmt_ratios(rs), "≥ 0.95", "met" if median(rs) >= 0.95 else "missed",
            "in-process %.0f MB/s; ours: %s (16 MiB threshold, 8 MiB parts, 2 in flight); curl: one PUT"
            % (median(internal), "multipart" if size > 16 << 20 else "one PUT"))


def row_intake(env):
    count = 50 if env.smoke else 10_000
    sellers = 10
    daemon = Daemon(env, "intake", workers=1)
    try:
        # Jobs of a blocked address fail at once without network traffic.
        drops = [daemon.prepare("seller-%d" % (i % sellers), "http://10.255.255.1/video.mp4") for i in range(count)]
        start = now()
        for tmp, final, _, _ in drops:
            os.rename(tmp, final)
        renamed = now() - start
        receipts_dirs = [os.path.join(daemon.spool, "receipts", "seller-%d" % s) for s in range(sellers)]
        end = now() + 600
        while now() < end:
            n = sum(sum(1 for name in os.listdir(d) if name.endswith(".json") and not name.startswith("."))
                    if os.path.isdir(d) else 0 for d in receipts_dirs)
            if n >= count:
                break
            daemon.check_alive()
            time.sleep(0.02)
        wall = now() - start
        ids = set()
        for _, _, seller, key in drops:
            ids.add(daemon.receipt(seller, key, timeout=5))
        stored = sum(daemon.counts().values()) - 1  # minus the warm-up video
        left = sum(len(files) for _, _, files in os.walk(os.path.join(daemon.spool, "inbox")))
    finally:
        daemon.stop()
    rate = count / wall
    lost = count - len(ids)
    ok = rate >= 2000 and lost == 0 and stored == count
    env.add("intake burst, %d drops" % count, "%.0f drops/s" % rate, "none", "", "≥ 2,000 drops/s, none lost",
            "met" if ok else "missed", "%.2f s to the last receipt (renames took %.2f s); %d distinct videoIds, %d videos stored, %d files left in inbox"
            % (wall, renamed, len(ids), stored, left))


def row_failing(env):
    count = 10 if env.smoke else 1000
    daemon = Daemon(env, "failing", workers=2)
    try:
        drops = [daemon.prepare("seller-%d" % (i % 10), env.url("too_short_3s.mp4")) for i in range(count)]
        start = now()
        for tmp, final, _, _ in drops:
            os.rename(tmp, final)
        end = now() + 900
        while now() < end:
            c = daemon.counts()
            if c.get("FAILED", 0) >= count + 1 and not c.get("IN_PROGRESS"):
                break
            daemon.check_alive()
            time.sleep(0.1)
        wall = now() - start
        c = daemon.counts()
    finally:
        daemon.stop()
    failed = c.get("FAILED", 0) - 1
    rate = count / wall
    env.add("failing jobs, %d too-short videos" % count, "%.1f jobs/s" % rate, "none", "", "≥ 150 jobs/s",
            "met" if failed == count and rate >= 150 else "missed", "%.1f s drop → last FAILED (workers 2); %d FAILED" % (wall, failed))


def rss_kb(pid, field="VmRSS:"):
    """`field` of /proc/PID/status in kB (0 when the process is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return 0


def pss_kb(pid):
    """Pss of /proc/PID/smaps_rollup in kB: shared pages (the libraries) counted once across processes."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError, PermissionError):
        pass
    return 0


def descendants_of(pid):
    """Pids of every process below `pid` (children, and their children: the fork server's), from /proc/*/stat."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found, frontier = [], [pid]
    while frontier:
        below = [child for parent in frontier for child in parents.get(parent, [])]
        found += below
        frontier = below
    return found


class RSSSampler:
    """Samples, every 10 ms, the summed VmRSS (and Pss) of some processes (`pids()`); keeps the peak of each
    sum and each process's last VmHWM (its own peak), so the sum of per-process peaks is known too."""

    def __init__(self, pids):
        import threading
        self.pids = pids
        self.peak_sum_kb = 0
        self.peak_pss_kb = 0
        self.hwm = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stopped.is_set():
            total = pss = 0
            for pid in self.pids():
                total += rss_kb(pid)
                pss += pss_kb(pid)
                hwm = rss_kb(pid, "VmHWM:")
                if hwm:
                    self.hwm[pid] = max(self.hwm.get(pid, 0), hwm)
            self.peak_sum_kb = max(self.peak_sum_kb, total)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            time.sleep(0.01)

    def stop(self):
        self.stopped.set()
        self.thread.join()
        return self.peak_sum_kb / 1024.0, sum(self.hwm.values()) / 1024.0, len(self.hwm), self.peak_pss_kb / 1024.0


def row_memory(env):
    """Peak RSS of the daemon (parent + media children) with workers 2 transcoding two 1080p videos at once,
    against two ffmpeg CLI processes doing the same transcode at once."""
    name = "h264_1080p_10s.mp4"
    source = env.input(name)
    w, h, fps = ffprobe_video(source)
    tw, th = fit(w, h)
    settings = {"maxHeight": 720, "maxFrameRate": 30, "crf": 23, "preset": "veryfast"}
    daemon = Daemon(env, "memory", workers=2, extra={"optimization": settings})
    peer_outs = [os.path.join(env.work, "mem-peer-%d.mp4" % k) for k in range(2)]
    details, pss_ours, pss_peer = [], [], []
    try:
        def project(i):
            sampler = RSSSampler(lambda: [daemon.proc.pid] + descendants_of(daemon.proc.pid))
            drops = [daemon.drop("seller-mem-%d" % k, env.url(name)) for k in range(2)]
            vids = [daemon.receipt(*d) for d in drops]
            docs = [daemon.final(v) for v in vids]
            peak, hwm_sum, count, pss = sampler.stop()
            assert all(d["status"] == "SUCCESS" for d in docs), docs
            details.append("daemon pair %d: peak RSS sum %.0f MB (Pss %.0f MB), sum of %d processes' VmHWM %.0f MB, parent VmHWM %.0f MB"
                           % (i, peak, pss, count, hwm_sum, rss_kb(daemon.proc.pid, "VmHWM:") / 1024.0))
            pss_ours.append(pss)
            return peak

        def peer(i):
            procs = []
            sampler = RSSSampler(lambda: [p.pid for p in procs if p.returncode is None])
            for out in peer_outs:
                procs.append(subprocess.Popen(peer_optimize_cmd(source, out, "scale=%d:%d:flags=bicubic" % (tw, th), fps)))
            maxrss = []
            for p in procs:
                _, status, usage = os.wait4(p.pid, 0)
                p.returncode = status
                maxrss.append(usage.ru_maxrss / 1024.0)
            peak, _, _, pss = sampler.stop()
            assert all(p.returncode == 0 for p in procs)
            details.append("ffmpeg pair %d: peak RSS sum %.0f MB (Pss %.0f MB), sum of ru_maxrss %.0f MB" % (i, peak, pss, sum(maxrss)))
            pss_peer.append(pss)
            return peak

        ours, theirs = alternate(env.pairs, project, peer)
    finally:
        daemon.stop()
    rs = ratios(ours, theirs)
    env.add("memory, peak RSS, workers 2 transcoding 1080p → %dx%d" % (tw, th), "%.0f MB" % median(ours),
            "%.0f MB (2 × `ffmpeg`)" % median(theirs), fmt_ratios(rs), "≤ 1.00",
            "met" if median(rs) <= 1.0 else "missed",
            "summed VmRSS of the daemon, its media fork server and the children it forked, sampled every 10 ms, against the "
            "same for two concurrent ffmpeg processes; summed Pss (shared library pages counted once) %.0f MB vs %.0f MB, "
            "ratio %s; " % (median(pss_ours), median(pss_peer), fmt_ratios(ratios(pss_ours, pss_peer))) + "; ".join(details))


SEED_SQL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
INSERT INTO videos (id, seller_id, title, description, video_url, video_content_type, store_front_code, status,
                    error_code, optimized_video_url, approval, created_at, updated_at, doc_version)
SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'seller-' || (i % 100), 'Seeded video ' || i, 'seeded',
       'https://cdn.example.com/v' || i || '.mp4', 'PRODUCT_PROMOTION', 'TR',
       CASE i % 10 WHEN 0 THEN 'FAILED' WHEN 1 THEN 'IN_PROGRESS' ELSE 'SUCCESS' END,
       CASE i % 10 WHEN 0 THEN 'seller.integration.video.duration.invalid' END,
       CASE WHEN i % 10 >= 2 THEN 'file:///srv/media/' || i || '/video_hd.mp4' END,
       'PENDING', strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i, 'unixepoch'), 1
FROM n;
INSERT INTO video_products (video_id, position, seller_id, product_content_id, shown)
SELECT id, 0, seller_id, 'prod-' || seq, 1 FROM videos;
INSERT INTO video_origins (video_id, origin, doc_version, status_version) SELECT id, 'local', 1, 1 FROM videos;
"""


def seed_store(env, name, count, config=None):
    """A spool whose store holds `count` seeded videos of 100 sellers; returns (spool, config path, seconds)."""
    spool = os.path.join(env.work, name, "var")
    os.makedirs(spool)
    cfg = os.path.join(env.work, name, "ingest.json")
    with open(cfg, "w") as f:
        json.dump(dict({"spoolDirectory": spool}, **(config or {})), f)
    run([env.bin, "list", "--spool", spool, "--config", cfg])  # creates the store at the current schema
    start = now()
    db = sqlite3.connect(os.path.join(spool, "state", "ingest.sqlite"))
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -1000000")  # 1 GB: the index inserts stay in memory
    # Bulk load without the secondary indexes, then build them once (sorted builds are much faster).
    indexes = db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                         "AND tbl_name IN ('videos', 'video_products')").fetchall()
    with db:
        for (sql,) in indexes:
            db.execute("DROP INDEX " + sql.split()[2] if sql.split()[1] == "INDEX" else "DROP INDEX " + sql.split()[3])
        db.executescript(SEED_SQL.replace(":count", str(count)))
        for (sql,) in indexes:
            db.execute(sql)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return spool, cfg, now() - start


def row_query(env):
    count = 20_000 if env.smoke else 1_000_000
    spool, cfg, seed = seed_store(env, "query", count)
    deep = count // 10 // 2
    _, out, _ = run([env.bin, "bench", "query", "--spool", spool, "--iterations", "50" if env.smoke else "200",
                     "--deep-page", str(deep)])
    q = json.loads(out)
    vid = q["id"]
    clis = [("list page 0", ["list"]), ("list --page %d" % deep, ["list", "--page", str(deep)]),
            ("list --status FAILED", ["list", "--status", "FAILED"]), ("list --id", ["list", "--id", vid]),
            ("status ID", ["status", vid])]
    names = ["listPage0", "listDeepPage", "listStatusFailed", "listId", "statusId"]
    worst = 0.0
    parts = []
    for (label, args), name in zip(clis, names):
        walls = [run([env.bin] + args + ["--spool", spool, "--config", cfg])[0] for _ in range(3 if env.smoke else 5)]
        p99 = q[name]["p99"]
        worst = max(worst, p99)
        parts.append("%s: p99 %.2f ms (median %.2f), command %s" % (label, p99, q[name]["median"], fmt_s(median(walls))))
    env.add("list and status, %s videos" % format(count, ","), "worst p99 %.2f ms" % worst, "none", "", "p99 ≤ 20 ms",
            "met" if worst <= 20 else "missed", "; ".join(parts) + "; seeded in %.0f s" % seed)


class Postgres:
    """A PostgreSQL server of Debian's binaries in a temporary folder on a free 127.0.0.1 port (as
    `postgres` when run as root), with its defaults (fsync on): the store of the PostgreSQL rows."""

    def __init__(self, env):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
        if not bins:
            raise RuntimeError("no PostgreSQL server under /usr/lib/postgresql/*/bin: install postgresql (make deps)")
        self.bin = os.path.dirname(bins[-1])
        # Its own folder under the system's temp (the scratch folder is private to this user, and
        # the server runs as `postgres`); removed by stop().
        self.root = tempfile.mkdtemp(prefix="video-ingest-bench-pg-")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            run(["chown", "postgres:postgres", self.root])
        self.tool("initdb", "-D", self.root + "/data", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C")
        options = "-p %d -k %s -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_connections=100" % (self.port, self.root)
        self.tool("pg_ctl", "-D", self.root + "/data", "-o", options, "-l", self.root + "/server.log", "-w", "start")
        self.databases = 0

    def tool(self, name, *args, stdin=None):
        proc = subprocess.run(self.as_owner + [os.path.join(self.bin, name)] + list(args), input=stdin,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError("%s failed: %s" % (name, (proc.stderr or proc.stdout)[-300:]))
        return proc.stdout

    def database(self):
        self.databases += 1
        name = "bench_%d" % self.databases
        self.tool("createdb", "-h", self.root, "-p", str(self.port), "-U", "postgres", name)
        return name, "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, name)

    def psql(self, name, sql):
        return self.tool("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.root, "-p", str(self.port),
                         "-U", "postgres", "-d", name, stdin=sql)

    def stop(self):
        try:
            self.tool("pg_ctl", "-D", self.root + "/data", "-m", "fast", "-w", "stop")
        except RuntimeError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def store_config(env, name, url=None):
    """A spool and a config naming `url` as the store (None: the spool's SQLite file)."""
    spool = os.path.join(env.work, name, "var")
    os.makedirs(spool)
    cfg = os.path.join(env.work, name, "ingest.json")
    with open(cfg, "w") as f:
        json.dump({"spoolDirectory": spool, "store": {"url": url}}, f)
    return spool, cfg


def row_claims(env):
    """Claims per second with 1, 4 and 16 concurrent claimers (each its own connection), on
    PostgreSQL (one FOR UPDATE SKIP LOCKED statement) and on SQLite (BEGIN IMMEDIATE)."""
    jobs = 100 if env.smoke else 2000
    pg = Postgres(env)
    try:
        parts, worst = [], None
        for n in (1, 4, 16):
            rates = []
            for engine in ("postgresql", "sqlite"):
                url = pg.database()[1] if engine == "postgresql" else None
                spool, cfg = store_config(env, "claims-%s-%d" % (engine, n), url)
                _, out, _ = run([env.bin, "bench", "claims", "--spool", spool, "--config", cfg, "--claimers", str(n),
                                 "--jobs", str(jobs)])
                rates.append(json.loads(out)["claimsPerSecond"])
            parts.append("%d claimers: PostgreSQL %.0f/s, SQLite %.0f/s" % (n, rates[0], rates[1]))
            worst = rates[0] if worst is None else min(worst, rates[0])
        env.add("job claims, %d jobs" % jobs, "PostgreSQL ≥ %.0f claims/s" % worst, "none", "", "report", "measured",
                "; ".join(parts) + " (fsync on; claimers are threads of one process, one connection each)")
    finally:
        pg.stop()


PG_SEED_SQL = """
SET session_replication_role = replica;  -- no per-row triggers: the list block counts are filled once below
INSERT INTO videos (id, seller_id, title, description, video_url, video_content_type, store_front_code, status,
                    error_code, optimized_video_url, approval, created_at, updated_at, doc_version)
SELECT lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0'), 'seller-' || (i % 100),
       'Seeded video ' || i, 'seeded', 'https://cdn.example.com/v' || i || '.mp4', 'PRODUCT_PROMOTION', 'TR',
       CASE i % 10 WHEN 0 THEN 'FAILED' WHEN 1 THEN 'IN_PROGRESS' ELSE 'SUCCESS' END,
       CASE i % 10 WHEN 0 THEN 'seller.integration.video.duration.invalid' END,
       CASE WHEN i % 10 >= 2 THEN 'file:///srv/media/' || i || '/video_hd.mp4' END,
       'PENDING', to_timestamp(1700000000 + i), to_timestamp(1700000000 + i), 1
FROM generate_series(1, :count) AS i ORDER BY i;
INSERT INTO video_origins (video_id, origin, doc_version, status_version) SELECT id, 'local', 1, 1 FROM videos;
INSERT INTO video_products (video_id, position, seller_id, product_content_id, shown)
SELECT id, 0, seller_id, 'prod-' || seq, true FROM videos;
INSERT INTO video_list_blocks (seller_id, status, block, n)
SELECT COALESCE(seller_id, '*'), COALESCE(status, '*'), seq >> 10, COUNT(*) FROM videos WHERE NOT deleted
GROUP BY GROUPING SETS ((seller_id, status, seq >> 10), (seller_id, seq >> 10), (status, seq >> 10), (seq >> 10));
SET session_replication_role = origin;
VACUUM ANALYZE;
"""


def row_pgquery(env):
    """The list and status queries of `row_query` on a PostgreSQL store of 1,000,000 videos."""
    count = 20_000 if env.smoke else 1_000_000
    pg = Postgres(env)
    try:
        name, url = pg.database()
        spool, cfg = store_config(env, "pgquery", url)
        run([env.bin, "list", "--spool", spool, "--config", cfg])  # creates the schema
        start = now()
        pg.psql(name, PG_SEED_SQL.replace(":count", str(count)))
        seed = now() - start
        deep = count // 10 // 2
        _, out, _ = run([env.bin, "bench", "query", "--spool", spool, "--config", cfg,
                         "--iterations", "50" if env.smoke else "200", "--deep-page", str(deep)])
        q = json.loads(out)
        names = [("list page 0", "listPage0"), ("list --page %d" % deep, "listDeepPage"),
                 ("list --status FAILED", "listStatusFailed"), ("list --id", "listId"), ("status ID", "statusId")]
        worst = max(q[n]["p99"] for _, n in names)
        parts = ["%s: p99 %.2f ms (median %.2f)" % (label, q[n]["p99"], q[n]["median"]) for label, n in names]
        env.add("list and status on PostgreSQL, %s videos" % format(count, ","), "worst p99 %.2f ms" % worst, "none", "",
                "p99 ≤ 20 ms", "met" if worst <= 20 else "missed", "; ".join(parts) + "; seeded in %.0f s" % seed)
    finally:
        pg.stop()


WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwC3QkWJ9rGzM="

SEED_DELIVERIES_SQL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
INSERT INTO events (id, type, video_id, body, created_at)
SELECT printf('evt_bench%08d', i), 'video.succeeded', printf('%08x-0000-4000-8000-%012x', i, i),
       '{"type":"video.succeeded","timestamp":"2026-01-01T00:00:00.000Z","data":{"id":"'
         || printf('%08x-0000-4000-8000-%012x', i, i) || '","status":"SUCCESS","productContentIds":["p-' || i || '"]}}',
       CAST(strftime('%s', 'now') AS INTEGER) * 1000
FROM n;
INSERT INTO deliveries (event_seq, endpoint_url, video_id, state, window_start, next_attempt_at)
SELECT seq, :url, video_id, 'pending', created_at, created_at FROM events WHERE id LIKE 'evt_bench%';
"""


def receiver_entries(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))]


def row_webhooks(env):
    """Deliveries per second to a local receiver that verifies each one with standardwebhooks, and
    the latency from a SUCCESS commit to its delivery."""
    python = os.path.join(ROOT, ".build", "venv", "bin", "python")
    if not os.access(python, os.X_OK):
        raise RuntimeError("%s is missing: run `make deps` (the venv with standardwebhooks)" % python)
    backlog = 200 if env.smoke else 5000
    videos = 2 if env.smoke else 20
    hooks = os.path.join(env.work, "webhooks.jsonl")
    receiver = subprocess.Popen([python, os.path.join(ROOT, "Tests", "WebhookReceiver", "receiver.py"),
                                 "--secret", WEBHOOK_SECRET, "--log", hooks], stdout=subprocess.PIPE, text=True)
    daemon = None
    try:
        url = "http://127.0.0.1:%d/hook" % json.loads(receiver.stdout.readline())["port"]
        daemon = Daemon(env, "webhooks", workers=2, extra={"notify": {
            "endpoints": [{"url": url, "secret": WEBHOOK_SECRET}], "allowedNetworks": ["127.0.0.1/32"]}})
        # Latency: each SUCCESS commit's event timestamp to the receiver's verified arrival.
        ids = [daemon.receipt(*daemon.drop("seller-hook-%d" % i, env.url("h264_720p_compliant_10s.mp4"))) for i in range(videos)]
        for vid in ids:
            assert daemon.final(vid)["status"] == "SUCCESS"
        end = now() + 60
        arrivals = {}
        while now() < end and len(arrivals) < videos:
            for e in receiver_entries(hooks):
                if e["kind"] == "delivery" and e.get("verified") and e.get("type") == "video.succeeded":
                    arrivals.setdefault(e["data"]["id"], (e["at"], e["eventTimestamp"]))
            time.sleep(0.05)
        if len(arrivals) < videos:
            raise RuntimeError("only %d of %d video.succeeded events arrived" % (len(arrivals), videos))
        latencies = [(at - datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
                      .replace(tzinfo=datetime.timezone.utc).timestamp()) * 1000 for at, stamp in arrivals.values()]
        # Throughput: a backlog of pending deliveries in the store, sent when the daemon starts.
        daemon.stop()
        db = sqlite3.connect(os.path.join(daemon.spool, "state", "ingest.sqlite"))
        with db:
            db.executescript(SEED_DELIVERIES_SQL.replace(":count", str(backlog)).replace(":url", "'%s'" % url))
        db.close()
        daemon.start()
        end = now() + 600
        seeded = []
        while now() < end:
            seeded = [e for e in receiver_entries(hooks) if e["kind"] == "delivery" and (e.get("id") or "").startswith("evt_bench")]
            if len({e["id"] for e in seeded}) >= backlog:
                break
            daemon.check_alive()
            time.sleep(0.05)
        distinct = len({e["id"] for e in seeded})
        unverified = sum(1 for e in seeded if not e.get("verified"))
        if distinct < backlog:
            raise RuntimeError("only %d of %d seeded deliveries arrived" % (distinct, backlog))
        span = max(e["at"] for e in seeded) - min(e["at"] for e in seeded)
        rate = len(seeded) / span if span > 0 else float("inf")
    finally:
        if daemon:
            daemon.stop()
        receiver.terminate()
        receiver.wait()
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    ok = rate >= 100 and p99 <= 1000 and unverified == 0
    env.add("webhooks to a local receiver", "%.0f deliveries/s" % rate, "none", "", "≥ 100 deliveries/s; SUCCESS commit → delivery p99 ≤ 1 s",
            "met" if ok else "missed",
            "%d-delivery backlog sent in %.2f s, each verified by standardwebhooks (%d failed verification); "
            "SUCCESS commit → verified delivery over %d videos: p50 %.1f ms, p99 %.1f ms" % (backlog, span, unverified, videos, p50, p99))


WRK_POST = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["storeFrontCode"] = "TR"
wrk.body = '{"title": "Benchmark video", "videoUrl": "http://127.0.0.1:9/v.mp4", "productContentIds": ["p-1"]}'
"""


def wrk(url, key, seconds, connections=32, script=None):
    """Runs wrk (Debian's); returns (requests per second, p99 ms, non-2xx count)."""
    cmd = ["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency", "-H", "Authorization: Bearer " + key]
    if script:
        cmd += ["-s", script]
    _, out, _ = run(cmd + [url])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p99, int(bad.group(1)) if bad else 0


def row_http(env):
    """The HTTP API of a daemon over a seeded store: GET /v1/videos with 32 concurrent wrk clients,
    then POST /v1/videos (each create one durable commit). Measured by wrk, not by the server."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (make deps)")
    count = 2_000 if env.smoke else 1_000_000
    seconds = 2 if env.smoke else 15
    key = "bench-key-seller-7"
    digest = hashlib.sha256(key.encode()).hexdigest()
    spool, cfg, seed = seed_store(env, "http", count, {
        "workers": 1, "download": {"retries": 0},
        "intake": {"createsPerMinutePerSeller": 1000000},
        "http": {"listen": "127.0.0.1:0", "apiKeys": [{"sellerId": "seller-7", "sha256": digest}],
                 "readsPerMinutePerSeller": 1000000}})
    log_path = os.path.join(env.work, "http", "daemon.log")
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen([env.bin, "daemon", "--config", cfg, "--spool", spool], stdout=log_file, stderr=subprocess.STDOUT)
    try:
        port, end = None, now() + 60
        while port is None and now() < end:
            with open(log_path) as f:
                m = re.search(r'"http listening","address":"127\.0\.0\.1:(\d+)"', f.read())
            port = int(m.group(1)) if m else None
            if proc.poll() is not None:
                raise RuntimeError("the daemon exited at start-up")
            time.sleep(0.05)
        base = "http://127.0.0.1:%d/v1/videos" % port
        list_rps, list_p99, list_bad = wrk(base + "?page=3&size=10", key, seconds)
        script = os.path.join(env.work, "http", "post.lua")
        with open(script, "w") as f:
            f.write(WRK_POST)
        create_rps, create_p99, create_bad = wrk(base, key, seconds, connections=8, script=script)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    if list_bad or create_bad:
        raise RuntimeError("non-2xx answers: list %d, create %d" % (list_bad, create_bad))
    met = list_rps >= 5000 and list_p99 <= 20
    env.add("HTTP list, %s videos, 32 clients" % format(count, ","), "%.0f req/s, p99 %.1f ms" % (list_rps, list_p99), "none", "",
            "≥ 5,000 req/s, p99 ≤ 20 ms", "met" if met else "missed",
            "wrk -t2 -c32 -d%ds GET /v1/videos?page=3&size=10 (one seller of 100, %s videos each); creates: %.0f req/s, "
            "p99 %.1f ms (wrk -c8, each a durable commit); seeded in %.0f s" % (seconds, format(count // 100, ","), create_rps, create_p99, seed))


# ---------------------------------------------------------------------------------------------
def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    ffmpeg = run(["ffmpeg", "-version"])[1].splitlines()[0]
    return "%d cores (%s), %.1f GB memory; %s" % (os.cpu_count(), cpu, mem_kb / 1024 / 1024, ffmpeg)


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def render(env, started, load_start, load_end, total):
    commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], ok=None)[1].strip() or "unknown"
    lines = [
        "Run: %s, commit %s, %s mode, %d pair(s) per row, %.1f min in all." % (
            started.strftime("%Y-%m-%d %H:%M UTC"), commit, "smoke" if env.smoke else "full", env.pairs, total / 60),
        "Machine: %s." % machine(),
        "Load average (1/5/15 min) at the start: %s; at the end: %s." % (load_start, load_end),
        "",
        "| row | project | peer | ratio project/peer: median (per pair) | goal | verdict | details |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in env.results:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
    lines.append("")
    lines.extend(env.details)
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_doc(path, table):
    text = ""
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
    block = BEGIN + "\n" + table + END
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = "# Benchmarks\n\n`make bench` writes the table between the markers; the notes around it are kept.\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "video-ingest"))
    parser.add_argument("--out", help="the markdown file to write the table into (docs/BENCHMARKS.md)")
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, one pair: checks the harness in seconds")
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated subset of: " + ", ".join(ROWS))
    parser.add_argument("--pairs", type=int, default=0)
    parser.add_argument("--work", default=None, help="parent folder of the scratch folder (default: the system's)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        parser.error("unknown rows: %s" % ", ".join(unknown))
    for tool in ["ffmpeg", "ffprobe", "curl", "xargs"]:
        if not shutil.which(tool):
            parser.error("%s is not installed (make deps)" % tool)
    if not os.access(args.bin, os.X_OK):
        parser.error("no executable at %s (make release)" % args.bin)

    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = load()
    t0 = now()
    env = Env(args)
    failed = False
    try:
        env.make_inputs()
        env.start_server()
        for name in rows:
            log("row", name)
            row_start = now()
            try:
                globals()["row_" + name](env)
                env.details.append("Row `%s` took %.0f s." % (name, now() - row_start))
            except Exception as error:  # a broken row is reported, the others still run
                failed = True
                env.add(name, "error", "", "", "", "error", str(error).replace("\n", " ")[:300])
    finally:
        env.cleanup()
    table = render(env, started, load_start, load(), now() - t0)
    print(table)
    if args.out:
        write_doc(args.out, table)
        log("wrote", args.out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
