#!/usr/bin/env bash
# The peer of one whole job: what a shell script with the command-line tools would do.
# curl → magic bytes with head → duration with ffprobe → ffmpeg transcode → ffmpeg poster.
# Usage: peer-job.sh URL [OUT_DIR]   (OUT_DIR defaults to a new folder under $PEER_OUT or /tmp)
# Exit: 0 done, 10 download failed, 11 format invalid, 12 duration invalid, 13 transcode failed.
set -u
url="$1"
out="${2:-$(mktemp -d "${PEER_OUT:-/tmp}/peer.XXXXXX")}"
mkdir -p "$out"
curl -sSf --max-time 300 -o "$out/source" "$url" || exit 10
# ISO base media / QuickTime: an atom type at bytes 4-8.
atom=$(head -c 8 "$out/source" | tail -c 4 | tr -d '\000')
case "$atom" in ftyp|moov|mdat|wide|free|skip|pnot) ;; *) exit 11 ;; esac
duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$out/source") || exit 11
awk -v d="$duration" 'BEGIN { exit !(d >= 8 && d <= 120) }' || exit 12
# Shorter side at most 720 (never upscaled), even sizes, bicubic; H.264 High CRF 23 veryfast, 2 s GOP; AAC 128k.
scale="scale='if(gte(iw,ih),-2,min(720,iw))':'if(gte(iw,ih),min(720,ih),-2)':flags=bicubic"
ffmpeg -hide_banner -loglevel error -y -i "$out/source" -map 0:v:0 -map '0:a:0?' -vf "$scale" -fpsmax 30 \
  -c:v libx264 -preset veryfast -crf 23 -profile:v high -pix_fmt yuv420p -g 60 \
  -c:a aac -b:a 128k -ac 2 -ar 48000 -map_metadata -1 -movflags +faststart "$out/video_hd.mp4" || exit 13
ffmpeg -hide_banner -loglevel error -y -ss 1 -i "$out/source" -frames:v 1 -vf "$scale" -q:v 3 "$out/poster.jpg" || exit 13
exit 0
