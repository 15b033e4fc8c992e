"""The PDF renderer only reads the app's own assets, and its output can be read back."""

import io
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pypdf import PdfReader

from advocacy.pdf import AssetFetcher, render_pdf
from tests.serving import serve_in_thread


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_render_pdf_reads_back():
    """A rendered document's text can be extracted with pypdf."""
    pdf = render_pdf("<h1>Dear Representative Lieu:</h1><p>City of Santa Monica</p>")
    assert pdf.startswith(b"%PDF")
    assert "Dear Representative Lieu:" in _text(pdf)


def test_identical_input_gives_identical_bytes():
    """Rendering is deterministic: the same HTML gives byte-identical PDFs."""
    html = "<p>Same letter</p>"
    assert render_pdf(html) == render_pdf(html)


def test_fetcher_refuses_files_network_and_path_escapes(tmp_path):
    """file:, http:, data: and ../ escapes are refused; nothing from them reaches the PDF."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    with serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as base:
        url = f"{base}/x.css"
        fetcher = AssetFetcher()
        html = (
            f'<link rel="stylesheet" href="{url}"><link rel="attachment" href="file:///etc/passwd">'
            '<img src="file:///etc/passwd"><img src="asset:../../../../etc/passwd">'
            f"<style>@import url('{url}');</style><p>Body</p>"
        )
        pdf = render_pdf(html, fetcher=fetcher)
    assert hits == []
    assert "root:" not in _text(pdf)
    assert b"root:x:" not in pdf
    assert any("etc/passwd" in u for u in fetcher.blocked)
    assert any(u.startswith("http://127.0.0.1") for u in fetcher.blocked)


def test_fetcher_serves_in_memory_assets():
    """An in-memory asset (e.g. an uploaded logo) is served under asset:NAME."""
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
    fetcher = AssetFetcher({"logo.png": (png, "image/png")})
    pdf = render_pdf('<img src="asset:logo.png" alt="logo"><p>x</p>', fetcher=fetcher)
    assert fetcher.blocked == []
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf
