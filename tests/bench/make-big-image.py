"""Makes a ~3 GB docker-archive for the reader's stress run: the sample image plus one layer
holding a 2.5 GB file of random bytes. Usage: make-big-image.py SAMPLE_DOCKER_TAR OUT_TAR"""
import hashlib, io, json, os, sys, tarfile

src, out = sys.argv[1], sys.argv[2]
BIG = 2500 * 1000 * 1000

class Random(io.RawIOBase):
    def __init__(self, n): self.left = n
    def readable(self): return True
    def readinto(self, b):
        n = min(len(b), self.left, 1 << 20)
        if n == 0: return 0
        b[:n] = os.urandom(n); self.left -= n; return n

# The new layer: a tar with one big file, written to disk first so its digest can be computed.
layer_path = out + '.layer.tar'
with tarfile.open(layer_path, 'w', format=tarfile.GNU_FORMAT) as lt:
    info = tarfile.TarInfo('data/random.bin'); info.size = BIG; info.mode = 0o644
    lt.addfile(info, io.BufferedReader(Random(BIG), 1 << 20))
h = hashlib.sha256()
with open(layer_path, 'rb') as f:
    for chunk in iter(lambda: f.read(1 << 20), b''): h.update(chunk)
layer_digest = h.hexdigest()

with tarfile.open(src) as s:
    manifest = json.load(s.extractfile('manifest.json'))
    config = json.load(s.extractfile(manifest[0]['Config']))
    config['rootfs']['diff_ids'].append('sha256:' + layer_digest)
    config['history'].append({'created_by': 'ADD random.bin /data/'})
    cbytes = json.dumps(config).encode()
    cname = hashlib.sha256(cbytes).hexdigest() + '.json'
    manifest[0]['Config'] = cname
    manifest[0]['Layers'].append(layer_digest + '.tar')
    with tarfile.open(out, 'w', format=tarfile.GNU_FORMAT) as o:
        for m in s.getmembers():
            if m.name in ('manifest.json',) or m.name.endswith('.json') and '/' not in m.name:
                continue
            o.addfile(m, s.extractfile(m) if m.isfile() else None)
        o.add(layer_path, arcname=layer_digest + '.tar')
        for name, data in ((cname, cbytes), ('manifest.json', json.dumps(manifest).encode())):
            info = tarfile.TarInfo(name); info.size = len(data); o.addfile(info, io.BytesIO(data))
os.remove(layer_path)
