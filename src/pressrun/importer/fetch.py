"""The network, for ``pressrun import`` only: the page a user names and its pictures.

Only ``http(s)``; only public addresses (a test server on this machine with
``allow_local``); redirects followed only within the page's host; the pictures only
from the page's host and the hosts of its domain (``cdn.example.org`` for
``www.example.org``); a size limit and a timeout on every request. Nothing fetched is
run: pages are parsed, pictures checked like any other.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from pressrun.importer.pictures import PICTURE_LIMIT
from pressrun.problems import PressrunError

PAGE_LIMIT = 10 * 2**20
TIMEOUT = 20.0
REDIRECTS = 5
AGENT = "pressrun-import (+https://github.com/pressrun)"


@dataclass(frozen=True)
class Fetched:
    """A fetched resource: the address it came from (after redirects) and its bytes."""

    url: str
    data: bytes
    media_type: str
    charset: str | None = None
    """The text encoding the server named, if it did."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # every hop is checked by Fetcher._get


class Fetcher:
    """Fetches a page and the pictures it shows, by the rules above."""

    def __init__(self, page_url: str, allow_local: bool = False) -> None:
        self.page_url = page_url
        self.allow_local = allow_local
        self.host = (urlsplit(page_url).hostname or "").lower()
        self._opener = urllib.request.build_opener(_NoRedirects)

    def page(self) -> Fetched:
        """The page, as HTML."""
        return self._get(self.page_url, PAGE_LIMIT, lambda host: host == self.host)

    def picture(self, url: str) -> Fetched:
        """A picture the page shows; PressrunError when it may not or cannot be had."""
        host = (urlsplit(url).hostname or "").lower()
        if not self._related(host):
            raise PressrunError(f"{url} is on another site ({host}) than the page: pressrun "
                                "fetches pictures only from the page's own site")
        return self._get(url, PICTURE_LIMIT, self._related)

    def _related(self, host: str) -> bool:
        """Whether ``host`` is the page's host or shares its domain."""
        if host == self.host:
            return True
        try:
            ipaddress.ip_address(self.host)
            return False  # an address has no domain
        except ValueError:
            pass
        domain = self.host.split(".", 1)[1] if self.host.count(".") >= 2 else self.host
        return host == domain or host.endswith("." + domain)

    def _get(self, url: str, limit: int, allowed: Callable[[str], bool]) -> Fetched:
        for _ in range(REDIRECTS + 1):
            self._check(url)
            request = urllib.request.Request(url, headers={"User-Agent": AGENT})
            try:
                with self._opener.open(request, timeout=TIMEOUT) as response:
                    data = response.read(limit + 1)
                    kind = response.headers.get_content_type()
                    charset = response.headers.get_content_charset()
            except urllib.error.HTTPError as exc:
                target = exc.headers.get("Location") if 300 <= exc.code < 400 else None
                if target is None:
                    raise PressrunError(f"cannot fetch {url}: the server answered "
                                        f"{exc.code} {exc.reason}") from None
                following = urljoin(url, target)
                if not allowed((urlsplit(following).hostname or "").lower()):
                    raise PressrunError(f"{url} redirects to another site ({following}): "
                                        "import that address, if you trust it") from None
                url = following
                continue
            except (urllib.error.URLError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", exc)
                raise PressrunError(f"cannot fetch {url}: {reason} (are you online?)") from None
            if len(data) > limit:
                raise PressrunError(f"{url} is larger than {limit // 2**20} MB: save it and "
                                    "import the saved file")
            return Fetched(url, data, kind, charset)
        raise PressrunError(f"{url} redirects more than {REDIRECTS} times")

    def _check(self, url: str) -> None:
        """Refuse an address that is not http(s) or, unless allowed, not public."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PressrunError(f"{url!r} is not a web address: import an http:// or "
                                "https:// address, or a saved file")
        if self.allow_local:
            return
        try:
            found = socket.getaddrinfo(parts.hostname, parts.port or 443,
                                       proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise PressrunError(f"cannot fetch {url}: {exc} (are you online?)") from None
        for *_, address in found:
            if not ipaddress.ip_address(str(address[0]).split("%")[0]).is_global:
                raise PressrunError(f"{url} leads to a private or local address "
                                    f"({address[0]}): pressrun import fetches only from "
                                    "public web sites (--allow-local to import from this "
                                    "machine or network)")
