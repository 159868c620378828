"""sipmsg.py - for the Python test peers (dialog_peer.py, media_peer.py): check() and its tally, a SIP message as they read it (the start
line, the headers by name (case-insensitive, in order) and the body; the status code or the method; tags;
the audio address and formats of an SDP body), and a SIP endpoint on a UDP port."""
import random
import re


class Tally:
    """what check() counted"""
    passed = 0
    failed = 0


def check(cond, what):
    if cond:
        Tally.passed += 1
        print('ok: ' + what, flush=True)
    else:
        Tally.failed += 1
        print('FAIL: ' + what, flush=True)


def token():
    return '%x' % random.getrandbits(48)


class Msg:
    def __init__(self, text, addr):
        self.addr = addr
        head, _, self.body = text.partition('\r\n\r\n')
        lines = head.split('\r\n')
        self.first = lines[0]
        self.hdrs = [(k.strip().lower(), v.strip()) for k, v in (l.split(':', 1) for l in lines[1:] if ':' in l)]

    def h(self, name, every=False):
        vals = [v for k, v in self.hdrs if k == name.lower()]
        return vals if every else (vals[0] if vals else '')

    @property
    def code(self):
        return int(self.first.split()[1]) if self.first.startswith('SIP/2.0') else 0

    @property
    def method(self):
        return '' if self.first.startswith('SIP/2.0') else self.first.split()[0]

    def tag(self, name):
        m = re.search(r';tag=([^;>\s]+)', self.h(name))
        return m.group(1) if m else ''

    def media(self):
        """((ip, port), [payload types]) of the body's audio stream, (None, []) without one"""
        port = re.search(r'^m=audio (\d+) RTP/AVP ([\d ]+)', self.body, re.M)
        ip = re.search(r'^c=IN IP4 (\S+)', self.body, re.M)
        return ((ip.group(1), int(port.group(1))), [int(x) for x in port.group(2).split()]) if port and ip else (None, [])


class Ep:
    """a SIP endpoint on a UDP port of 127.0.0.1; requests and responses go to gw unless told otherwise"""

    def __init__(self, port, gw):
        import socket
        self.port, self.gw = port, gw
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind(('127.0.0.1', port))

    def send(self, text, addr=None):
        self.s.sendto(text.encode(), addr or self.gw)

    def wait(self, pred, timeout):
        """the first message for which pred is true within timeout seconds, else None"""
        import socket
        import time
        end = time.time() + timeout
        while time.time() < end:
            self.s.settimeout(max(0.01, end - time.time()))
            try:
                data, addr = self.s.recvfrom(65535)
            except socket.timeout:
                return None
            m = Msg(data.decode(errors='replace'), addr)
            if pred(m):
                return m
        return None

    def drain(self):
        while self.wait(lambda m: True, 0.05):
            pass
