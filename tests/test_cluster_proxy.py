"""The proxy of ``make cluster`` (scripts/cluster_proxy.sh): Debian's nginx with the generated config, in
front of four small HTTP servers standing for the two nodes' HTTP and websocket (gevent) ports.

The API is spread over both nodes; the backend stays on the node of its first answer (the ``abs_node``
cookie: Odoo's sessions are files in each node's data folder); ``/websocket`` goes to that node's gevent
port; ``X-ABS-Node`` pins a request; ``X-Upstream`` says who served it. Skipped where nginx is not installed
(``make cluster`` says how to install it).
"""

import http.server
import pathlib
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import requests

from odoo.tests import BaseCase, tagged

SCRIPTS = pathlib.Path(__file__).resolve().parent.parent / "scripts"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if pathlib.Path("/usr/sbin/nginx").exists() else None)


class Named(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.server.name.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestClusterProxy(BaseCase):
    def setUp(self):
        super().setUp()
        if not NGINX:
            self.skipTest("nginx is not installed (apt-get install nginx)")
        self.backends = {}
        for name in ("http-a", "ws-a", "http-b", "ws-b"):
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Named)
            server.name = name
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.addCleanup(server.server_close)
            self.addCleanup(server.shutdown)
            self.backends[name] = server.server_address[1]
        directory = tempfile.mkdtemp(prefix="abs_cluster_proxy.")
        self.addCleanup(shutil.rmtree, directory, True)
        port = free_port()
        ports = [self.backends[name] for name in ("http-a", "ws-a", "http-b", "ws-b")]
        subprocess.run(
            ["bash", "-c", f'source "{SCRIPTS}/cluster_proxy.sh"; write_proxy_config "$@"', "-", directory, str(port)]
            + [str(p) for p in ports],
            check=True,
            timeout=30,
        )
        proxy = subprocess.Popen(
            [NGINX, "-p", directory, "-c", f"{directory}/nginx.conf"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.addCleanup(proxy.wait, 10)
        self.addCleanup(proxy.terminate)
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                requests.get(f"{self.url}/web/health", timeout=2)
                break
            except requests.ConnectionError:
                if proxy.poll() is not None:
                    self.fail(f"nginx stopped: {proxy.stderr.read().decode()}")
                time.sleep(0.1)

    def get(self, path, session=None, **headers):
        response = (session or requests).get(self.url + path, headers=headers, timeout=10)
        self.assertEqual(response.status_code, 200, response.text)
        upstream = int(response.headers["X-Upstream"].rsplit(":", 1)[1])
        self.assertEqual(upstream, self.backends[response.text], "X-Upstream names the server that answered")
        return response.text

    def test_the_api_is_spread_over_both_nodes(self):
        served = [self.get("/api/auth/me") for _ in range(6)]
        self.assertEqual(set(served), {"http-a", "http-b"})

    def test_a_pinned_request_goes_to_its_node(self):
        self.assertEqual({self.get("/api/orders", **{"X-ABS-Node": "b"}) for _ in range(4)}, {"http-b"})
        self.assertEqual({self.get("/web/login", **{"X-ABS-Node": "a"}) for _ in range(4)}, {"http-a"})
        self.assertEqual(self.get("/websocket", **{"X-ABS-Node": "b"}), "ws-b")

    def test_the_backend_stays_on_the_node_of_its_first_answer(self):
        for _ in range(2):  # two browsers: the first lands on one node, the second on the other
            browser = requests.Session()
            first = self.get("/web/login", browser)
            node = first[-1]
            self.assertEqual(browser.cookies.get("abs_node"), node)
            self.assertEqual({self.get("/odoo/action-1", browser) for _ in range(5)}, {f"http-{node}"})
            self.assertEqual(self.get("/websocket", browser), f"ws-{node}")
