#!/usr/bin/env bash
# Makes the sample media used by the tests, with the ffmpeg command line (lavfi sources only).
# Usage: SampleMedia/make-samples.sh [OUT_DIR]   (default: the folder of this script)
# The files are small (each under 1 MB) and committed; rerun this script to make them again.
#        SampleMedia/make-samples.sh --bench OUT_DIR [--smoke]
#   --bench makes the larger benchmark inputs (1080p, 720p, up to 120 s) in OUT_DIR; they are made at
#   benchmark time and never committed. --smoke makes the same set tiny (seconds), for the harness's smoke run.
set -euo pipefail
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
# A moving test pattern and a tone, so encoders have real work and SSIM means something.
video() { echo "testsrc2=size=$1:rate=$2:duration=$3"; }
audio() { echo "sine=frequency=440:sample_rate=48000:duration=$1"; }

if [ "${1:-}" = "--bench" ]; then
  out="${2:?usage: make-samples.sh --bench OUT_DIR [--smoke]}"
  mkdir -p "$out"
  smoke=0; [ "${3:-}" = "--smoke" ] && smoke=1
  # Sizes and lengths: the issue's (1080p 10 s and 60 s, 720p 30 s mov, 720p 120 s) or tiny ones for --smoke.
  # (The smoke stand-in for 1080p is small but 60 fps, over the frame-rate cap, so it is transcoded too.)
  if [ "$smoke" = 1 ]; then big=320x180; rate=60; mid=256x144; long=10; mov=10; remux=10; clip=160x90
  else big=1920x1080; rate=30; mid=1280x720; long=60; mov=30; remux=120; clip=320x180; fi
  # testsrc2 plus a fixed grain: motion and fine detail, so x264 and SSIM have real work.
  detail() { echo "testsrc2=size=$1:rate=$2:duration=$3,noise=alls=8:allf=u"; }
  tone() { echo "sine=frequency=330:sample_rate=44100:duration=$1"; }
  # H.264 High + AAC 44.1 kHz, keyframe every 2 s, index at the end: a camera-style upload that needs a transcode.
  ff -f lavfi -i "$(detail $big $rate $long)" -f lavfi -i "$(tone $long)" -c:v libx264 -preset ultrafast -crf 20 -g 60 \
     -pix_fmt yuv420p -c:a aac -b:a 192k "$out/h264_1080p_60s.mp4"
  # Its first 10 s (cut on a keyframe, no re-encode).
  ff -i "$out/h264_1080p_60s.mp4" -c copy -t 10 "$out/h264_1080p_10s.mp4"
  # MPEG-4 Part 2 in a QuickTime file.
  ff -f lavfi -i "$(detail $mid 30 $mov)" -f lavfi -i "$(tone $mov)" -c:v mpeg4 -q:v 4 -g 60 -c:a aac -b:a 128k \
     -f mov "$out/mpeg4_720p_30s.mov"
  # Already compliant (H.264 High yuv420p, AAC, 30 fps, modest bit rate), index at the end: the remux fast path.
  ff -f lavfi -i "$(video $mid 30 $remux)" -f lavfi -i "$(audio $remux)" -c:v libx264 -preset veryfast -crf 26 -g 60 \
     -pix_fmt yuv420p -profile:v high -c:a aac -b:a 128k -ac 2 "$out/h264_720p_compliant_120s.mp4"
  ff -i "$out/h264_720p_compliant_120s.mp4" -c copy -t 10 "$out/h264_720p_compliant_10s.mp4"
  ff -i "$out/mpeg4_720p_30s.mov" -c copy -t 10 -f mov "$out/mpeg4_720p_10s.mov"
  # Failures: 3 s (too short), and an AVI named .mp4 (magic bytes say avi).
  ff -f lavfi -i "$(video $clip 10 3)" -c:v libx264 -preset veryfast -crf 35 -pix_fmt yuv420p "$out/too_short_3s.mp4"
  ff -f lavfi -i "$(video $clip 25 9)" -f lavfi -i "$(audio 9)" -c:v mpeg4 -q:v 10 -c:a pcm_s16le -f avi "$out/avi_renamed.mp4"
  # The throughput mix's small clips: 9 s, compliant H.264 and MPEG-4 mov.
  ff -f lavfi -i "$(detail $clip 30 9)" -f lavfi -i "$(audio 9)" -c:v libx264 -preset veryfast -crf 26 -pix_fmt yuv420p \
     -c:a aac -b:a 96k "$out/mix_h264_9s.mp4"
  ff -f lavfi -i "$(detail $clip 25 9)" -f lavfi -i "$(tone 9)" -c:v mpeg4 -q:v 5 -c:a aac -b:a 96k -f mov "$out/mix_mpeg4_9s.mov"
  ls -l "$out"
  exit 0
fi

out="${1:-$(cd "$(dirname "$0")" && pwd)}"
mkdir -p "$out"

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
