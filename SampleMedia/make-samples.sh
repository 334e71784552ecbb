#!/usr/bin/env bash
# Makes the sample media used by the tests, with the ffmpeg command line (lavfi sources only).
# Usage: SampleMedia/make-samples.sh [OUT_DIR]   (default: the folder of this script)
# The files are small (each under 1 MB) and committed; rerun this script to make them again.
set -euo pipefail
out="${1:-$(cd "$(dirname "$0")" && pwd)}"
mkdir -p "$out"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
# A moving test pattern and a tone, so encoders have real work and SSIM means something.
video() { echo "testsrc2=size=$1:rate=$2:duration=$3"; }
audio() { echo "sine=frequency=440:sample_rate=48000:duration=$1"; }

# 10 s 640x360 H.264 yuv420p + AAC, faststart: already compliant, takes the remux fast path.
ff -f lavfi -i "$(video 640x360 30 10)" -f lavfi -i "$(audio 10)" \
   -c:v libx264 -preset veryfast -crf 32 -pix_fmt yuv420p -profile:v high -c:a aac -b:a 64k -ac 2 \
   -movflags +faststart "$out/h264_aac_10s.mp4"

# 10 s 320x240 MPEG-4 Part 2 + AAC in a QuickTime file (major brand 'qt  '): must be transcoded.
ff -f lavfi -i "$(video 320x240 25 10)" -f lavfi -i "$(audio 10)" \
   -c:v mpeg4 -q:v 8 -c:a aac -b:a 64k -f mov "$out/mpeg4_10s.mov"

# 10 s H.264 without an audio stream.
ff -f lavfi -i "$(video 320x240 25 10)" -c:v libx264 -preset veryfast -crf 32 -pix_fmt yuv420p \
   "$out/no_audio_10s.mp4"

# 10 s 320x180 H.264 at 60 fps: over the frame-rate cap, so the fast path must not be taken.
ff -f lavfi -i "$(video 320x180 60 10)" -f lavfi -i "$(audio 10)" \
   -c:v libx264 -preset veryfast -crf 34 -pix_fmt yuv420p -c:a aac -b:a 64k "$out/h264_60fps_10s.mp4"

# A phone-style portrait clip: coded 1920x1080 with a display matrix rotated 90 degrees, a GPS
# location and a creation time. The rotation survives only a stream copy, hence two steps; the
# low frame rate and high CRF keep it small.
ff -f lavfi -i "testsrc2=size=1920x1080:rate=5:duration=10" -f lavfi -i "$(audio 10)" \
   -c:v libx264 -preset veryfast -crf 40 -pix_fmt yuv420p -c:a aac -b:a 32k "$out/.portrait.tmp.mp4"
ff -i "$out/.portrait.tmp.mp4" -c copy -metadata:s:v:0 rotate=90 \
   -metadata location="+41.0082+028.9784/" -metadata "location-eng=+41.0082+028.9784/" \
   -metadata creation_time="2024-05-01T10:00:00Z" "$out/portrait_rotated_10s.mp4"
rm -f "$out/.portrait.tmp.mp4"

# 3 s: under the minimum duration.
ff -f lavfi -i "$(video 160x120 10 3)" -c:v libx264 -preset veryfast -crf 35 -pix_fmt yuv420p \
   "$out/too_short_3s.mp4"

# 130 s at a tiny size: over the maximum duration.
ff -f lavfi -i "$(video 160x120 5 130)" -c:v libx264 -preset veryfast -crf 40 -pix_fmt yuv420p \
   "$out/too_long_130s.mp4"

# AVI and WebM: accepted only where the config allows them.
ff -f lavfi -i "$(video 320x240 25 10)" -f lavfi -i "$(audio 10)" \
   -c:v mpeg4 -q:v 10 -c:a mp3 -b:a 64k "$out/sample_10s.avi" 2>/dev/null \
|| ff -f lavfi -i "$(video 320x240 25 10)" -f lavfi -i "$(audio 10)" \
   -c:v mpeg4 -q:v 10 -c:a pcm_s16le "$out/sample_10s.avi"
ff -f lavfi -i "$(video 320x240 25 10)" -f lavfi -i "$(audio 10)" \
   -c:v libvpx -b:v 200k -deadline realtime -cpu-used 8 -c:a libopus -b:a 48k "$out/sample_10s.webm" 2>/dev/null \
|| ff -f lavfi -i "$(video 320x240 25 10)" -c:v libvpx -b:v 200k "$out/sample_10s.webm"

# The first 20 KB of a valid mp4 whose moov is at the end: right magic bytes, unreadable media.
ff -f lavfi -i "$(video 320x240 25 10)" -c:v libx264 -preset veryfast -crf 30 -pix_fmt yuv420p \
   "$out/.moov_at_end.tmp.mp4"
head -c 20000 "$out/.moov_at_end.tmp.mp4" > "$out/truncated.mp4"
rm -f "$out/.moov_at_end.tmp.mp4"

# A faststart mp4 cut to 40 %: the index (moov, at the front) promises 10 s, the data ends near 4 s.
# It passes every check, then the rendition comes out short: an optimization failure.
ff -f lavfi -i "$(video 320x240 25 10)" -f lavfi -i "$(audio 10)" -c:v libx264 -preset veryfast -crf 30 \
   -pix_fmt yuv420p -c:a aac -b:a 64k -movflags +faststart "$out/.faststart.tmp.mp4"
size=$(stat -c %s "$out/.faststart.tmp.mp4")
head -c $((size * 4 / 10)) "$out/.faststart.tmp.mp4" > "$out/truncated_faststart.mp4"
rm -f "$out/.faststart.tmp.mp4"

# Plain text named .mp4.
printf 'This is not a video, only text named like one.\n' > "$out/text.mp4"

ls -l "$out"
