"""What the worst accepted claim upload costs to check: CPU time and peak memory (issue 10.5).

Builds, for every accepted type, a file at the limits (claims/uploads.py:
the type's pixel limit, MAX_FILE_SIZE, 8-bit modes), then, in a fresh
process, checks the costliest of them MAX_FILES_PER_CLAIM times, as a claim
with every file at the limits, and prints that process's CPU seconds
(resource.getrusage) and peak RSS (ru_maxrss). Budget: 2 s of CPU, 300 MB.

    .venv/bin/python scripts/bench_uploads.py
"""

import io
import math
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")

CPU_BUDGET = 2.0
MEMORY_BUDGET_MB = 300


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def photo(pixels, mode):
    """Photo-like content (noise) that encoders cannot make trivially small."""
    from PIL import Image

    width = int(math.sqrt(pixels * 4 / 3))
    size = (width, pixels // width)
    bands = [Image.effect_noise(size, 30 + 10 * i) for i in range(len(mode))]
    return Image.merge(mode, bands)


def flat(pixels, mode):
    from PIL import Image

    width = int(math.sqrt(pixels * 4 / 3))
    gradient = Image.linear_gradient("L").resize((width, pixels // width))
    return Image.merge(mode, [gradient] * len(mode))


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def at_limit(make, max_size):
    """The largest of ``make(quality)`` that the size limit lets through."""
    for quality in (95, 85, 75, 60, 40, 20):
        content = make(quality)
        if len(content) <= max_size:
            return content
    return content


def build(directory):
    import django

    django.setup()
    from reportlab.pdfgen import canvas

    from claims import uploads

    pixels = {t: uploads.max_pixels_for(t) for t in ("JPEG", "PNG", "WEBP")}
    files = {
        "jpeg": at_limit(lambda q: encode(photo(pixels["JPEG"], "RGB"), "JPEG", quality=q), uploads.MAX_FILE_SIZE),
        "webp": at_limit(lambda q: encode(photo(pixels["WEBP"], "RGB"), "WEBP", quality=q), uploads.MAX_FILE_SIZE),
        # Flat content: the smallest file for the most pixels to inflate and unfilter.
        "png-rgba": encode(flat(pixels["PNG"], "RGBA"), "PNG"),
    }
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    for page in range(400):
        for line in range(60):
            pdf.drawString(40, 800 - line * 12, f"Factura {page}-{line} " + "x" * 80)
        pdf.showPage()
    pdf.save()
    files["pdf"] = buffer.getvalue()
    for name, content in files.items():
        (directory / name).write_bytes(content)


def measure(directory):
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from claims.uploads import MAX_FILES_PER_CLAIM, check_upload

    after_start = peak_mb()
    costs = {}
    for path in sorted(directory.iterdir()):
        start = cpu()
        check_upload(SimpleUploadedFile(path.name, path.read_bytes()))
        costs[path.name] = cpu() - start
        print(f"  {path.name:9} {path.stat().st_size / 2**20:5.1f} MB  {costs[path.name]:.3f} s CPU")
    worst = max(costs, key=costs.get)
    content = (directory / worst).read_bytes()
    start = cpu()
    for index in range(MAX_FILES_PER_CLAIM):
        check_upload(SimpleUploadedFile(f"{index}-{worst}", content))
    spent = cpu() - start
    peak = peak_mb()
    print(f"Worst accepted request: {MAX_FILES_PER_CLAIM} × {worst} ({len(content) / 2**20:.1f} MB each)")
    print(f"  CPU {spent:.2f} s, peak RSS {peak:.0f} MB (Django started: {after_start:.0f} MB)")
    ok = spent < CPU_BUDGET and peak < MEMORY_BUDGET_MB
    print("  within budget" if ok else f"  OVER BUDGET ({CPU_BUDGET} s, {MEMORY_BUDGET_MB} MB)")
    return 0 if ok else 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        return measure(Path(sys.argv[2]))
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        # A fresh process: its peak RSS is the checks', not the building's.
        return subprocess.call([sys.executable, __file__, "--measure", tmp])


if __name__ == "__main__":
    sys.exit(main())
