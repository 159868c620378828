"""sipmsg.py - for the Python test peers (dialog_peer.py, media_peer.py): check() and its tally, a SIP message as they read it (the start
line, the headers by name (case-insensitive, in order) and the body; the status code or the method; tags;
the audio address and formats of an SDP body), and SIP endpoints: on a UDP port (Ep), over TCP or TLS
(StreamEp)."""
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
        port = re.search(r'^m=audio (\d+) RTP/S?AVP ([\d ]+)', self.body, re.M)
        ip = re.search(r'^c=IN IP4 (\S+)', self.body, re.M)
        return ((ip.group(1), int(port.group(1))), [int(x) for x in port.group(2).split()]) if port and ip else (None, [])


    def profile(self):
        """the transport of the body's audio stream: 'RTP/AVP', 'RTP/SAVP' or ''"""
        m = re.search(r'^m=audio \d+ (\S+)', self.body, re.M)
        return m.group(1) if m else ''

    def crypto(self):
        """the a=crypto values of the body, in order"""
        return re.findall(r'^a=crypto:(.*?)\r?$', self.body, re.M)


class EpBase:
    """what the endpoints share: wait(pred, timeout) is theirs"""

    def drain(self):
        while self.wait(lambda m: True, 0.05):
            pass


class Ep(EpBase):
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



class StreamEp(EpBase):
    """a SIP endpoint over TCP or TLS on 127.0.0.1 (RFC 3261 18.3: messages framed by Content-Length).
    port: a listener for connections from gw (0: none); its own requests go over one connection to gw.
    tls: None (TCP) or a dict: cert, key (ours: server and client certificate), ca, name (gw's name, checked).
    Each message's addr is the connection it came on: a response to it goes back there."""

    def __init__(self, port, gw, tls=None):
        import queue
        import socket
        import threading
        self.port, self.gw, self.tls = port, gw, tls
        self.q, self.out, self.conns, self.stop = queue.Queue(), None, [], False
        self.lock = threading.Lock()
        if port:
            self.ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.ls.bind(('127.0.0.1', port))
            self.ls.listen(8)
            self.ls.settimeout(0.1)
            threading.Thread(target=self._accept, daemon=True).start()

    def _ctx(self, server):
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_cert_chain(self.tls['cert'], self.tls['key'])
        if not server:
            ctx.load_verify_locations(self.tls['ca'])
        return ctx

    def _accept(self):
        import socket
        while not self.stop:
            try:
                c, _ = self.ls.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                if self.tls:
                    c.settimeout(5)
                    c = self._ctx(True).wrap_socket(c, server_side=True)
            except OSError:
                c.close()
                continue
            self._start(c)

    def _start(self, c):
        import threading
        c.settimeout(0.05)
        lock = threading.Lock()
        self.conns.append((c, lock))
        threading.Thread(target=self._reader, args=(c, lock), daemon=True).start()

    def _reader(self, c, lock):
        import socket
        import ssl
        buf = b''
        while not self.stop:
            try:
                with lock:
                    data = c.recv(65535)
            except (socket.timeout, ssl.SSLWantReadError):
                continue
            except OSError:
                return
            if not data:
                return
            buf += data
            while True:
                head, sep, rest = buf.partition(b'\r\n\r\n')
                if not sep:
                    break
                m = re.search(rb'^(?:content-length|l)\s*:\s*(\d+)', head, re.M | re.I)
                n = int(m.group(1)) if m else 0
                if len(rest) < n:
                    break
                self.q.put(Msg((head + sep + rest[:n]).decode(errors='replace'), c))
                buf = rest[n:]

    def connect(self):
        """the connection to gw for our requests (made once)"""
        import socket
        if self.out is None:
            c = socket.create_connection(self.gw, timeout=5)
            if self.tls:
                c = self._ctx(False).wrap_socket(c, server_hostname=self.tls['name'])
            self._start(c)
            self.out = c
        return self.out

    def send(self, text, addr=None):
        c = addr if addr is not None else self.connect()
        lock = next((lk for cc, lk in self.conns if cc is c), None)
        with lock:
            c.settimeout(5)
            c.sendall(text.encode())
            c.settimeout(0.05)

    def wait(self, pred, timeout):
        import queue
        import time
        end = time.time() + timeout
        while time.time() < end:
            try:
                m = self.q.get(timeout=max(0.01, end - time.time()))
            except queue.Empty:
                return None
            if pred(m):
                return m
        return None


    def close(self):
        self.stop = True
        for c, _ in self.conns:
            try:
                c.close()
            except OSError:
                pass
        if self.port:
            self.ls.close()
