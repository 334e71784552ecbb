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
  # HDR10 phone-style clip: 10-bit HEVC, BT.2020 PQ, made from the SDR pattern by zimg: the tone-map row's input.
  ff -f lavfi -i "$(detail $big $rate 10)" -f lavfi -i "$(tone 10)" \
     -vf "format=yuv420p,zscale=tin=709:min=709:pin=709:rin=tv:t=smpte2084:p=2020:m=2020_ncl:r=tv:npl=100,format=yuv420p10le" \
     -c:v libx265 -preset ultrafast -crf 24 -pix_fmt yuv420p10le -tag:v hvc1 \
     -x265-params "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited" \
     -color_primaries bt2020 -color_trc smpte2084 -colorspace bt2020nc -color_range tv -c:a aac -b:a 128k "$out/hdr10_pq_1080p_10s.mov"
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
# Its streams end near 4 s, so it fails the duration check (the streams decide, not the index).
ff -f lavfi -i "$(video 320x240 25 10)" -f lavfi -i "$(audio 10)" -c:v libx264 -preset veryfast -crf 30 \
   -pix_fmt yuv420p -c:a aac -b:a 64k -movflags +faststart "$out/.faststart.tmp.mp4"
size=$(stat -c %s "$out/.faststart.tmp.mp4")
head -c $((size * 4 / 10)) "$out/.faststart.tmp.mp4" > "$out/truncated_faststart.mp4"
rm -f "$out/.faststart.tmp.mp4"

# --- The uniform-rendition categories (issue 9): uploads shaped like those of phones, browsers, cameras and editors.
# Each goes through the real daemon in UniformRenditionEndToEndTests and must come out as CONTRACT section 4's
# rendition. Small on purpose: 192x108 at 12 fps, 9 s, unless size, rate or length is the point.
u="$out/uniform"; mkdir -p "$u"
src() { echo "testsrc2=size=${1:-192x108}:rate=${2:-12}:duration=${3:-9}"; }
tone() { echo "sine=frequency=${2:-440}:sample_rate=${1:-48000}:duration=${3:-9}"; }
x264() { echo "-c:v libx264 -preset veryfast -crf 36 -pix_fmt yuv420p"; }
aac() { echo "-c:a aac -b:a 48k"; }
# A compliant clip (H.264 High yuv420p, AAC-LC 48 kHz stereo) with the given audio rate/channels: copy video, fix audio.
for rate in 8000 22050 44100 48000; do
  ff -f lavfi -i "$(src)" -f lavfi -i "$(tone $rate)" $(x264) -profile:v high $(aac) -ac 1 -movflags +faststart "$u/mono_${rate}.mp4"
done
ff -f lavfi -i "$(src)" -f lavfi -i "$(tone)" $(x264) -profile:v high $(aac) -ac 2 -movflags +faststart "$u/compliant.mp4"
ff -f lavfi -i "$(src)" -f lavfi -i "$(tone)" $(x264) $(aac) -ac 6 -channel_layout 5.1 "$u/surround_5_1.mp4"
ff -f lavfi -i "$(src)" -f lavfi -i "$(tone)" $(x264) $(aac) -ac 8 -channel_layout 7.1 "$u/surround_7_1.mp4"
# Two audio tracks; in the second file only the second track is flagged default (enabled): the default one is taken.
ff -f lavfi -i "$(src)" -f lavfi -i "$(tone 44100 440)" -f lavfi -i "$(tone 48000 880)" -map 0 -map 1 -map 2 $(x264) $(aac) \
   "$u/two_audio_tracks.mp4"
ff -f lavfi -i "$(src)" -f lavfi -i "$(tone 44100 440)" -f lavfi -i "$(tone 48000 880)" -map 0 -map 1 -map 2 $(x264) $(aac) \
   -disposition:a:0 0 -disposition:a:1 default "$u/two_audio_second_default.mp4"
ff -f lavfi -i "$(src)" -f lavfi -i "$(tone 22050)" $(x264) -c:a pcm_s16le -f mov "$u/pcm_audio.mov"
# Phones: HEVC 8- and 10-bit in mov and mp4 (tagged hvc1, as iPhones write), rotations, VFR, 60 fps, HDR.
for depth in 8 10; do
  pix=yuv420p; [ $depth = 10 ] && pix=yuv420p10le
  for ext in mov mp4; do
    ff -f lavfi -i "$(src)" -f lavfi -i "$(tone 44100)" -c:v libx265 -preset ultrafast -crf 34 -pix_fmt $pix -tag:v hvc1 \
       -x265-params log-level=error $(aac) "$u/hevc_${depth}bit.$ext"
  done
done
for angle in 90 180 270; do
  ff -f lavfi -i "$(src 192x108)" -f lavfi -i "$(tone)" $(x264) $(aac) "$u/.rot.tmp.mp4"
  ff -i "$u/.rot.tmp.mp4" -c copy -metadata:s:v:0 rotate=$angle "$u/rotation_${angle}.mp4"
done
rm -f "$u/.rot.tmp.mp4"
# Variable frame rate: 60 fps with every third frame dropped (frames 1/60 and 2/60 s apart: average 40, real 60).
ff -f lavfi -i "$(src 192x108 60)" -f lavfi -i "$(tone)" -vf "select='not(eq(mod(n\,3)\,2))'" -fps_mode vfr $(x264) $(aac) \
   "$u/variable_frame_rate.mp4"
ff -f lavfi -i "$(src 192x108 60)" -f lavfi -i "$(tone)" $(x264) $(aac) "$u/rate_60fps.mp4"
# HDR: BT.2020 PQ and HLG, 10-bit HEVC, made from the SDR pattern by zimg (linear light, 100 nits nominal peak).
for trc in smpte2084 arib-std-b67; do
  name=hdr_pq; [ $trc = arib-std-b67 ] && name=hdr_hlg
  ff -f lavfi -i "$(src)" -f lavfi -i "$(tone)" \
     -vf "format=yuv420p,zscale=tin=709:min=709:pin=709:rin=tv:t=$trc:p=2020:m=2020_ncl:r=tv:npl=100,format=yuv420p10le" \
     -c:v libx265 -preset ultrafast -crf 30 -pix_fmt yuv420p10le -tag:v hvc1 \
     -x265-params "log-level=error:colorprim=bt2020:transfer=$trc:colormatrix=bt2020nc:range=limited" \
     -color_primaries bt2020 -color_trc $trc -colorspace bt2020nc -color_range tv $(aac) "$u/$name.mov"
done
# Browsers: fragmented mp4 (empty moov, moof fragments), VP9 + Opus in WebM.
ff -f lavfi -i "$(src)" -f lavfi -i "$(tone)" $(x264) $(aac) -movflags frag_keyframe+empty_moov+default_base_moof "$u/fragmented.mp4"
ff -f lavfi -i "$(src)" -f lavfi -i "$(tone)" -c:v libvpx-vp9 -b:v 100k -deadline realtime -cpu-used 8 -c:a libopus -b:a 32k \
   "$u/vp9_opus.webm"
# Cameras and editors: B-frames cut off a keyframe (edit list over negative timestamps), interlaced MPEG-2 in
# QuickTime with PCM, full range, 4:4:4, odd size, anamorphic above and at/below 720, 1440p and 4K.
ff -f lavfi -i "$(src 192x108 24 12)" -f lavfi -i "$(tone 48000 440 12)" $(x264) -profile:v high -bf 3 -g 48 $(aac) -ac 2 "$u/.bf.tmp.mp4"
ff -ss 1.5 -i "$u/.bf.tmp.mp4" -c copy -t 9 "$u/bframes_edit_list.mp4"
rm -f "$u/.bf.tmp.mp4"
ff -f lavfi -i "$(src 192x144 24)" -f lavfi -i "$(tone 8000)" -vf "tinterlace=interleave_top,fieldorder=tff" -c:v mpeg2video -q:v 20 \
   -flags +ildct+ilme -top 1 -field_order tt -c:a pcm_s16le -f mov "$u/interlaced_mpeg2.mov"
ff -f lavfi -i "$(src)" -f lavfi -i "$(tone)" -c:v libx264 -preset veryfast -crf 36 -pix_fmt yuvj420p -color_range pc $(aac) "$u/full_range.mp4"
ff -f lavfi -i "$(src)" -f lavfi -i "$(tone)" -c:v libx264 -preset veryfast -crf 36 -pix_fmt yuv444p $(aac) "$u/chroma_444.mp4"
ff -f lavfi -i "$(src 321x241)" -f lavfi -i "$(tone)" -c:v mpeg4 -q:v 8 $(aac) -f mov "$u/odd_size_321x241.mov"
ff -f lavfi -i "$(src 1440x1080 4)" -f lavfi -i "$(tone)" -vf setsar=4/3 $(x264) -crf 42 $(aac) "$u/anamorphic_1440x1080.mp4"
ff -f lavfi -i "$(src 240x180)" -f lavfi -i "$(tone)" -vf setsar=4/3 $(x264) -profile:v high $(aac) -ac 2 -movflags +faststart \
   "$u/anamorphic_240x180.mp4"
ff -f lavfi -i "$(src 2560x1440 2)" -f lavfi -i "$(tone)" $(x264) -crf 45 $(aac) "$u/size_1440p.mp4"
ff -f lavfi -i "$(src 3840x2160 1)" -f lavfi -i "$(tone)" $(x264) -crf 48 $(aac) "$u/size_4k.mp4"
# Duration boundaries (tiny pictures, low rates): 8 s and 120 s pass, 7.9 s and 120.1 s fail.
for d in 8 7.9 120 120.1; do
  ff -f lavfi -i "$(src 64x36 10 $d)" -f lavfi -i "$(tone 48000 440 $d)" $(x264) -crf 45 -profile:v high $(aac) -ac 2 \
     -movflags +faststart "$u/duration_${d}s.mp4"
done
# A header that lies: mvhd, tkhd and mdhd claim 130 s (over the limit) over 9 s of samples: judged by the streams.
ff -f lavfi -i "$(src)" $(x264) "$u/header_claims_130s.mp4"
python3 - "$u/header_claims_130s.mp4" 130 <<'PY'
import struct, sys
path, seconds = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, 'rb').read())
def boxes(start, end):
    while start + 8 <= end:
        size, kind = struct.unpack('>I4s', data[start:start + 8])
        yield start, size, kind
        start += size
def patch(start, end):
    for at, size, kind in boxes(start, end):
        if kind in (b'moov', b'trak', b'mdia'):
            patch(at + 8, at + size)
        elif kind in (b'mvhd', b'mdhd'):   # version 0: timescale at +20, duration at +24 from the box start
            scale = struct.unpack('>I', data[at + 20:at + 24])[0]
            data[at + 24:at + 28] = struct.pack('>I', seconds * scale)
        elif kind == b'tkhd':              # version 0: duration at +28 (in the movie timescale, 1000 for ffmpeg)
            data[at + 28:at + 32] = struct.pack('>I', seconds * movie_scale[0])
movie_scale = [1000]
for at, size, kind in boxes(0, len(data)):
    if kind == b'moov':
        for a, s, k in boxes(at + 8, at + size):
            if k == b'mvhd': movie_scale[0] = struct.unpack('>I', data[a + 20:a + 24])[0]
patch(0, len(data))
open(path, 'wb').write(data)
PY
# Half undecodable: a valid index (9 s) over picture data zeroed after its first half; passes every check, then only
# about 4.5 s decode, so the rendition cannot have the source's duration (optimization.failed).
ff -f lavfi -i "$(src)" -c:v mpeg4 -q:v 8 -movflags +faststart "$u/half_undecodable.mp4"
python3 - "$u/half_undecodable.mp4" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
at = 0
while at + 8 <= len(data):
    size, kind = struct.unpack('>I4s', data[at:at + 8])
    if kind == b'mdat':
        half = at + 8 + (size - 8) // 2
        data[half:at + size] = bytes(at + size - half)
    at += size
open(sys.argv[1], 'wb').write(data)
PY

# Plain text named .mp4.
printf 'This is not a video, only text named like one.\n' > "$out/text.mp4"

ls -l "$out"
