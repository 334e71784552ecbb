#!/usr/bin/env bash
# Remakes the committed seed corpora under Fuzz/corpus/<target>/ (run from anywhere; needs ffmpeg
# and python3). Seeds are small on purpose: libFuzzer mutates them, it does not need whole videos.
#   probe/    tiny complete files of each container (32x32, 2 frames), a rotated mp4, a classic
#             QuickTime file without ftyp, and the first 4 KB of each SampleMedia file
#   sniff/    [allowed-format mask][name length][name][first 256 bytes of a sample]
#   request/  drop-file bodies: valid requests and each kind of broken one
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/Fuzz/corpus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
src="testsrc2=size=32x32:rate=5:duration=0.4"

rm -rf "$out/probe" "$out/sniff" "$out/request"
mkdir -p "$out/probe" "$out/sniff" "$out/request"

ff -f lavfi -i "$src" -f lavfi -i sine=frequency=440:sample_rate=8000:duration=0.4 -c:v libx264 -preset ultrafast \
   -crf 45 -pix_fmt yuv420p -c:a aac -b:a 8k -ac 1 -movflags +faststart "$out/probe/tiny_h264_aac.mp4"
ff -f lavfi -i "$src" -c:v mpeg4 -q:v 31 -f mov "$out/probe/tiny_mpeg4.mov"
ff -f lavfi -i "$src" -c:v libvpx -b:v 20k "$out/probe/tiny_vp8.webm"
ff -f lavfi -i "$src" -c:v mpeg4 -q:v 31 "$out/probe/tiny_mpeg4.avi"
ff -i "$out/probe/tiny_h264_aac.mp4" -c copy -metadata:s:v:0 rotate=90 -metadata location="+41.0082+028.9784/" \
   -movflags +faststart "$out/probe/tiny_rotated.mp4"

python3 - "$root/SampleMedia" "$out" <<'PY'
import json, os, struct, sys
samples, out = sys.argv[1], sys.argv[2]

# probe: a classic QuickTime file (no ftyp: starts with 'wide'), and every sample's first 4 KB.
mov = open(os.path.join(out, "probe", "tiny_mpeg4.mov"), "rb").read()
size = struct.unpack(">I", mov[:4])[0]
assert mov[4:8] == b"ftyp"
open(os.path.join(out, "probe", "classic_quicktime.mov"), "wb").write(mov[size:])
names = sorted(n for n in os.listdir(samples) if not n.endswith(".sh"))
for n in names:
    head = open(os.path.join(samples, n), "rb").read(4096)
    open(os.path.join(out, "probe", "head4k_" + n), "wb").write(head)

# sniff: [mask][name length][name][header]
cases = [
    (0x03, "video.mp4"), (0x03, "https://cdn.example.com/a/b/clip.MOV?x=1#y"), (0x0F, "clip"),
    (0x0F, "http://h/v1.2-final"), (0x01, "movie.m4v"), (0x0F, "x.webm"), (0x0F, "x.avi"), (0x03, "notes.txt"),
]
for i, n in enumerate(names):
    header = open(os.path.join(samples, n), "rb").read(256)
    mask, name = cases[i % len(cases)]
    nb = name.encode()
    open(os.path.join(out, "sniff", "seed_" + n), "wb").write(bytes([mask, len(nb)]) + nb + header)
open(os.path.join(out, "sniff", "ebml_minimal"), "wb").write(bytes([0x0F, 0]) + bytes.fromhex("1a45dfa3 9f 4282 84") + b"webm")
open(os.path.join(out, "sniff", "ftyp_qt"), "wb").write(bytes([0x02, 6]) + b"a.qt?b" + struct.pack(">I", 20) + b"ftypqt  " + bytes(8))

# request: drop-file bodies.
ok = {"title": "Product Promotion Video", "description": "New season product promotion",
      "videoUrl": "https://cdn.example.com/video.mp4", "productContentIds": ["123456"],
      "videoContentType": "PRODUCT_PROMOTION", "storeFrontCode": "TR"}
bodies = {
    "valid_full.json": json.dumps(ok),
    "valid_minimal.json": '{"title":"Abc","videoUrl":"http://h/v","productContentIds":["1"],"storeFrontCode":"DE"}',
    "valid_pretty_unicode.json": json.dumps(dict(ok, title="\U0001F600" * 50, description=None,
                                                 productContentIds=["a", "a", " b "]), indent=2, ensure_ascii=True),
    "valid_escapes.json": '{"storeFrontCode":"TR","title":"Caf\\u00e9 \\"x\\" \\ud83d\\ude00","videoUrl":"https://h:8080/p?q=1#f",'
                          '"productContentIds":["1","2"],"videoContentType":"PACKAGING","extra":[1,-0.5e-3,true,false,null,{}]}',
    "invalid_everything.json": '{"title":"ab","description":' + json.dumps("d" * 501) +
                               ',"videoUrl":"ftp://x","productContentIds":[],"videoContentType":"X","storeFrontCode":"ZZ"}',
    "invalid_types.json": '{"title":1,"description":[],"videoUrl":null,"productContentIds":"1","videoContentType":2,"storeFrontCode":{}}',
    "invalid_ids.json": json.dumps(dict(ok, productContentIds=[str(i) for i in range(101)])),
    "invalid_url.json": json.dumps(dict(ok, videoUrl="https:// space.example.com/v.mp4")),
    "duplicate_keys.json": '{"title":"x","title":"Long enough","videoUrl":"https://h/v.mp4","productContentIds":["1"],"storeFrontCode":"TR"}',
    "not_object.json": '[1,2,{"a":"b"}]',
    "numbers.json": '{"a":0,"b":-1,"c":1.5,"d":1e300,"e":12345678901234567890,"f":-0,"g":1E-400}',
    "nested.json": "[" * 40 + "]" * 40,
}
for name, text in bodies.items():
    open(os.path.join(out, "request", name), "w").write(text)
PY
du -sh "$out"/*
