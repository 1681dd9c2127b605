#!/usr/bin/env python3
# The reference design's healthcheck server, reproduced as the benchmark's baseline (not shipped):
# Python's single-threaded http.server, forking `systemctl is-active k3s` on every request.
# Usage: reference-healthcheck.py PORT
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class HealthCheckHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != '/health':
            self.send_response(404)
            self.end_headers()
            return
        try:
            result = subprocess.run(['systemctl', 'is-active', 'k3s'], capture_output=True, text=True, timeout=5)
            ok = result.stdout.strip() == 'active'
            self.send_response(200 if ok else 503)
            self.send_header('Content-type', 'text/plain')
            self.end_headers()
            self.wfile.write(b'OK' if ok else b'K3s not running')
        except Exception as e:
            self.send_response(500)
            self.send_header('Content-type', 'text/plain')
            self.end_headers()
            self.wfile.write(f'Error: {e}'.encode())

    def log_message(self, format, *args):
        pass


if __name__ == '__main__':
    HTTPServer(('127.0.0.1', int(sys.argv[1])), HealthCheckHandler).serve_forever()
