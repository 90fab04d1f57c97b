"""The web shop in a real browser: headless Chromium loads a page served by a MOCK route, and the page calls
the order API on another origin with the shopper's Cognito token, through CORS preflights, as a deployed shop
would.

Both stages are real HTTP servers on 127.0.0.1 (`stage.serve_http()`); the token comes from the template's
user pool. Chromium runs with `--dump-dom`, so the test reads what the page shows once its requests are
answered. Skipped where Chromium is not installed (`apt-get install chromium`).
"""

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pytest_serverless import load_template

CHROMIUM = next(filter(None, map(shutil.which, ["chromium", "chromium-browser", "google-chrome"])), None)
TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"

# The shop's single page: the API's URL comes in the query, the ID token in the fragment (where Cognito's
# hosted sign-in puts it: the fragment never reaches a server).
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Shop</title></head>
<body>
<h1>Your orders</h1>
<ul>
  <li id="own">loading</li>
  <li id="other">loading</li>
  <li id="anonymous">loading</li>
</ul>
<script>
const api = new URLSearchParams(location.search).get("api");
const token = new URLSearchParams(location.hash.slice(1)).get("id_token");
async function show(id, path, headers) {
  const line = document.getElementById(id);
  try {
    const answer = await fetch(api + path, {headers});
    const body = await answer.json();
    line.textContent = answer.ok ? `${body.id}: ${body.status}, ${body.total} EUR`
                                 : `${answer.status}: ${body.message}`;
  } catch (error) {
    line.textContent = `blocked: ${error.message}`;
  }
}
show("own", "/orders/o-1001", {Authorization: token});
show("other", "/orders/o-1002", {Authorization: token});
show("anonymous", "/orders/o-1001", {});
</script>
</body></html>
"""


class ListItems(HTMLParser):
    """The text of each `<li id=...>` of a page."""

    def __init__(self):
        super().__init__()
        self.items, self._current = {}, None

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self._current = dict(attrs).get("id")
            self.items[self._current] = ""

    def handle_endtag(self, tag):
        self._current = None

    def handle_data(self, data):
        if self._current:
            self.items[self._current] += data


def rendered_items(url, profile):
    """What headless Chromium shows at `url` once the page's requests are answered (virtual time)."""
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    parser = ListItems()
    parser.feed(done.stdout)
    return parser.items


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)")
def test_the_shop_page_shows_the_shoppers_order_through_cors(gateway, serverless_clock, tmp_path):
    site = gateway.rest_api("shop-site")
    site.route("GET /shop", mock={"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": PAGE})
    with site.deploy("web").serve_http() as shop_url:
        # the API allows the shop's origin (a template parameter): here, the served page's
        app = load_template(TEMPLATE, parameters={"ShopOrigin": shop_url}, clock=serverless_clock)
        token = app.token_issuer("ShopperAuthorizer").token(sub="user-1", groups=[])
        api = app.api("OrdersApi").stage("Prod")
        with api.serve_http() as api_url:
            shown = rendered_items(f"{shop_url}/shop?api={api_url}#id_token={token}", tmp_path / "profile")
    assert shown == {
        "own": "o-1001: SHIPPED, 42.5 EUR",
        "other": "403: not your order",
        "anonymous": "401: Unauthorized",
    }
    # the browser asked before sending the token (a CORS preflight), then sent it
    calls = [(row["httpMethod"], row["path"], row["status"]) for row in api.logs]
    assert ("OPTIONS", "/orders/o-1001", 200) in calls
    assert sorted(call for call in calls if call[0] == "GET") == [
        ("GET", "/orders/o-1001", 200),
        ("GET", "/orders/o-1001", 401),
        ("GET", "/orders/o-1002", 403),
    ]
