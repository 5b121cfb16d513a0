"""The client's address behind our own proxies, from one setting: TRUSTED_PROXIES.

Every proxy appends the address it was connected from to X-Forwarded-For, so only the right
end of the chain is written by proxies we run; whatever a client sends sits to the left of
it. The setting says how far to look:

- empty or `0`: no proxy; X-Forwarded-For is ignored (`make run`, a service alone);
- a count, `N`: exactly N proxies stand in front (compose: nginx, `1`; AWS: CloudFront then
  the ALB, `2`), so the client is the N-th address from the right;
- networks, `10.0.0.0/16,127.0.0.1`: the proxies' addresses; the client is the first
  address from the right that is not one of them, and the header is read only when the
  connection itself comes from one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxiesError(ValueError):
    """TRUSTED_PROXIES holds something that is neither a count nor a list of networks."""


@dataclass(frozen=True)
class TrustedProxies:
    count: int = 0
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, value: str | None) -> TrustedProxies:
        text = (value or "").strip()
        if not text:
            return cls()
        if text.isdigit():
            return cls(count=int(text))
        networks = []
        for item in text.split(","):
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise TrustedProxiesError(
                    f"TRUSTED_PROXIES={value!r}: {item.strip()!r} is not an address or network;"
                    " give a count of proxies (e.g. 1) or addresses/networks separated by commas"
                ) from None
        return cls(networks=tuple(networks))

    @property
    def enabled(self) -> bool:
        return bool(self.count or self.networks)

    def is_proxy(self, address: str) -> bool:
        ip = _ip(address)
        return ip is not None and any(ip in network for network in self.networks)

    def client_address(self, peer: str | None, forwarded_for: Sequence[str]) -> str | None:
        """The client's address, given the connection's peer and the X-Forwarded-For values
        (each header line as received; a proxy may send several)."""
        chain = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
        if not chain or not self.enabled:
            return peer
        if self.count:
            hop = chain[-min(self.count, len(chain))]
            return hop if _ip(hop) is not None else peer
        if peer is None or not self.is_proxy(peer):
            return peer
        nearest = peer
        for hop in reversed(chain):
            if _ip(hop) is None:
                # A proxy we trust passed on something that is not an address: the last
                # address we can vouch for is that proxy's.
                return nearest
            if not self.is_proxy(hop):
                return hop
            nearest = hop
        return nearest

    def trusts_connection(self, peer: str | None) -> bool:
        """Whether X-Forwarded-Proto and friends from this connection are believed."""
        if self.count:
            return True
        return peer is not None and self.is_proxy(peer)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
