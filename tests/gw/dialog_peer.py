#!/usr/bin/env python3
"""dialog_peer.py - the dialog corner cases of gwd's SIP side, driven from raw UDP sockets.

Usage: dialog_peer.py GW_PORT CALLER_PORT UM_PORT GWD_PID GWCTL CTL_SOCKET

gwd routes +15551011000 across a loopback ISUP pair back out to the UM (UM_PORT, UDP); this script
plays both the caller and the UM.  Each case prints "ok: ..." or "FAIL: ..."; every wait is bounded.
Cases (each from a review of RFC 3261 behaviour):
  early-bye   BYE in an early dialog: 200 for the BYE, 487 for the INVITE (15.1.2), the UM cancelled
  bye-no-ack  BYE before the ACK of our 2xx: the leg is freed (no SIP leg left)
  trying-only a UM that sent only 100 Trying can be cancelled (9.1)
  record-route  the 200 copies Record-Route; ACK and BYE carry the dialog's route set (12.1.1, 12.1.2)
  forwarded   a 181 from the UM reaches the caller through ISUP's "call is being forwarded"
  burst       nine 183 and a 486 in one loop round: the 486 and its Reason still reach the caller
  options     a response outside a dialog carries a To tag (8.2.6.2)
  bad-ack     an ACK that cannot be used gets no response (17.2.3)
  reinvite    the re-INVITE answer keeps the o= session id and raises its version (RFC 3264 8); a BYE
              with a lower CSeq than the re-INVITE's gets 500 (RFC 3261 12.2.2)
"""
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sipmsg import Ep, Tally, check, token  # noqa: E402

GW = ('127.0.0.1', int(sys.argv[1]))
CALLER_PORT, UM_PORT, GWD_PID = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
GWCTL, CTL = sys.argv[5], sys.argv[6]
NUMBER = '+15551011000'
SDP = ('v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n'
       'm=audio 30000 RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n')


def invite(ep, callid, branch, cseq=1, totag='', body=SDP, extra=''):
    ep.send('INVITE sip:%s@127.0.0.1:%d;user=phone SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n'
            'Max-Forwards: 70\r\nFrom: <sip:+15555551000@example.com>;tag=caller1\r\n'
            'To: <sip:%s@example.com>%s\r\nCall-ID: %s\r\nCSeq: %d INVITE\r\nContact: <sip:c@127.0.0.1:%d>\r\n'
            '%sContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s' % (
                NUMBER, GW[1], ep.port, branch, NUMBER, (';tag=' + totag) if totag else '', callid, cseq,
                ep.port, extra, len(body), body))


def request(ep, method, callid, totag, cseq, branch=None, cseq_method=None):
    ep.send('%s sip:gw@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\nMax-Forwards: 70\r\n'
            'From: <sip:+15555551000@example.com>;tag=caller1\r\nTo: <sip:%s@example.com>%s\r\nCall-ID: %s\r\n'
            'CSeq: %d %s\r\nContent-Length: 0\r\n\r\n' % (
                method, GW[1], ep.port, branch or 'z9hG4bK' + token(), NUMBER, (';tag=' + totag) if totag else '',
                callid, cseq, cseq_method or method))


def respond(ep, req, code, extra='', body='', totag=None):
    to = req.h('to') + ('' if ';tag=' in req.h('to') or code == 100 else ';tag=' + (totag or 'um' + token()))
    vias = ''.join('Via: %s\r\n' % v for v in req.h('via', True))
    ep.send('SIP/2.0 %d X\r\n%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\nContact: <sip:um@127.0.0.1:%d>\r\n'
            '%s%sContent-Length: %d\r\n\r\n%s' % (
                code, vias, req.h('from'), to, req.h('call-id'), req.h('cseq'), ep.port, extra,
                'Content-Type: application/sdp\r\n' if body else '', len(body), body), req.addr)


def sip_legs():
    out = subprocess.run([GWCTL, '-s', CTL, 'show', 'stats'], capture_output=True, text=True, timeout=10).stdout
    m = re.search(r'^sip-legs\s+(\d+)', out, re.M)
    return int(m.group(1)) if m else -1


def until(cond, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


caller, um = Ep(CALLER_PORT, GW), Ep(UM_PORT, GW)


def case_early_bye():
    cid = token()
    invite(caller, cid, 'z9hG4bK' + token())
    inv = um.wait(lambda m: m.method == 'INVITE', 5)
    respond(um, inv, 180)
    ring = caller.wait(lambda m: m.code == 180, 5)
    request(caller, 'BYE', cid, ring.tag('to') if ring else '', 2)
    got = {}
    end = time.time() + 5
    while time.time() < end and len(got) < 2:
        m = caller.wait(lambda m: m.code >= 200 and m.h('call-id') == cid, end - time.time())
        if m:
            got[m.h('cseq').split()[-1]] = m.code
            if m.h('cseq').endswith('INVITE'):
                request(caller, 'ACK', cid, m.tag('to'), 1, branch=re.search(r'branch=([^;\s]+)', m.h('via')).group(1))
    check(got.get('BYE') == 200, 'early-bye: 200 for the BYE (got %s)' % got.get('BYE'))
    check(got.get('INVITE') == 487, 'early-bye: 487 for the INVITE (got %s)' % got.get('INVITE'))
    c = um.wait(lambda m: m.method == 'CANCEL', 5)
    check(c is not None, 'early-bye: the UM was cancelled across TDM')
    if c:
        respond(um, c, 200)
        respond(um, inv, 487)


def case_bye_no_ack():
    cid = token()
    invite(caller, cid, 'z9hG4bK' + token())
    inv = um.wait(lambda m: m.method == 'INVITE', 5)
    respond(um, inv, 200, body=SDP)
    ok = caller.wait(lambda m: m.code == 200, 5)
    request(caller, 'BYE', cid, ok.tag('to') if ok else '', 2)
    bye = um.wait(lambda m: m.method == 'BYE', 5)
    if bye:
        respond(um, bye, 200)
    check(caller.wait(lambda m: m.code == 200 and m.h('cseq').endswith('BYE'), 5) is not None,
          'bye-no-ack: 200 for the BYE')
    check(until(lambda: sip_legs() == 0, 3), 'bye-no-ack: no SIP leg left (sip-legs %d)' % sip_legs())


def case_trying_only():
    cid, br = token(), 'z9hG4bK' + token()
    invite(caller, cid, br)
    inv = um.wait(lambda m: m.method == 'INVITE', 5)
    respond(um, inv, 100)
    caller.wait(lambda m: m.code in (180, 183), 2)
    caller.send('CANCEL sip:%s@127.0.0.1:%d;user=phone SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n'
                'Max-Forwards: 70\r\nFrom: <sip:+15555551000@example.com>;tag=caller1\r\nTo: <sip:%s@example.com>\r\n'
                'Call-ID: %s\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n' % (NUMBER, GW[1], CALLER_PORT, br, NUMBER, cid))
    r = caller.wait(lambda m: m.code == 487 and m.h('call-id') == cid, 5)
    check(r is not None, 'trying-only: the caller gets 487')
    if r:
        request(caller, 'ACK', cid, r.tag('to'), 1, branch=br)
    c = um.wait(lambda m: m.method == 'CANCEL', 3)
    check(c is not None, 'trying-only: a UM that sent only 100 is cancelled')
    if c:
        respond(um, c, 200)
        respond(um, inv, 487)


def case_burst():
    cid = token()
    invite(caller, cid, 'z9hG4bK' + token())
    inv = um.wait(lambda m: m.method == 'INVITE', 5)
    time.sleep(0.2)
    os.kill(GWD_PID, signal.SIGSTOP)	# gwd asleep: what follows arrives in one loop round
    try:
        for _ in range(9):
            respond(um, inv, 183)
        respond(um, inv, 486, extra='Reason: Q.850;cause=17\r\n')
        time.sleep(0.1)
    finally:
        os.kill(GWD_PID, signal.SIGCONT)
    r = caller.wait(lambda m: m.code >= 300 and m.h('call-id') == cid, 5)
    if r:
        request(caller, 'ACK', cid, r.tag('to'), 1, branch=re.search(r'branch=([^;\s]+)', r.h('via')).group(1))
    check(r is not None and r.code == 486, 'burst: the 486 after nine 183 reaches the caller (got %s)' %
          (r.first if r else None))
    check(r is not None and 'cause=17' in r.h('reason'), 'burst: with Reason Q.850 cause 17')


def case_options():
    caller.send('OPTIONS sip:gw@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\n'
                'Max-Forwards: 70\r\nFrom: <sip:t@example.com>;tag=o1\r\nTo: <sip:gw@example.com>\r\n'
                'Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' % (GW[1], CALLER_PORT, token(), token()))
    r = caller.wait(lambda m: m.h('cseq') == '1 OPTIONS', 3)
    check(r is not None and r.code == 200 and r.tag('to') != '', 'options: 200 with a To tag')


def case_bad_ack():
    request(caller, 'ACK', token(), 'x', 1, cseq_method='INVITE')
    check(caller.wait(lambda m: True, 1) is None, 'bad-ack: no response to an ACK whose CSeq says INVITE')


def origin(body):
    m = re.search(r'^o=\S+ (\d+) (\d+)', body, re.M)
    return (int(m.group(1)), int(m.group(2))) if m else None


def case_reinvite():
    cid = token()
    invite(caller, cid, 'z9hG4bK' + token())
    inv = um.wait(lambda m: m.method == 'INVITE', 5)
    respond(um, inv, 200, body=SDP)
    ok = caller.wait(lambda m: m.code == 200, 5)
    totag = ok.tag('to') if ok else ''
    request(caller, 'ACK', cid, totag, 1)
    first = origin(ok.body) if ok else None
    invite(caller, cid, 'z9hG4bK' + token(), cseq=2, totag=totag, body=SDP.replace('o=- 7 7', 'o=- 7 8'))
    re_ok = caller.wait(lambda m: m.code == 200 and m.h('cseq') == '2 INVITE', 5)
    second = origin(re_ok.body) if re_ok else None
    check(first is not None and second is not None and second[0] == first[0] and second[1] == first[1] + 1,
          're-INVITE: o= keeps the session id and raises the version (%s -> %s)' % (first, second))
    if re_ok:
        request(caller, 'ACK', cid, totag, 2)
    request(caller, 'BYE', cid, totag, 1)	# a CSeq lower than the re-INVITE's (2)
    r = caller.wait(lambda m: m.h('cseq') == '1 BYE', 3)
    check(r is not None and r.code == 500, 'cseq: a BYE with a lower CSeq than the last request gets 500 (got %s)'
          % (r.first if r else None))
    request(caller, 'BYE', cid, totag, 3)
    bye = um.wait(lambda m: m.method == 'BYE', 5)
    if bye:
        respond(um, bye, 200)
    r = caller.wait(lambda m: m.h('cseq') == '3 BYE', 3)
    check(r is not None and r.code == 200, 'cseq: the BYE with the next CSeq gets 200')


def case_forwarded():
    cid = token()
    invite(caller, cid, 'z9hG4bK' + token())
    inv = um.wait(lambda m: m.method == 'INVITE', 5)
    respond(um, inv, 181)
    r = caller.wait(lambda m: m.code == 181 and m.h('call-id') == cid, 5)
    check(r is not None, 'forwarded: a 181 from the UM crosses ISUP (CPG call is being forwarded) as 181')
    respond(um, inv, 486)
    r = caller.wait(lambda m: m.code >= 300 and m.h('call-id') == cid, 5)
    if r:
        request(caller, 'ACK', cid, r.tag('to'), 1, branch=re.search(r'branch=([^;\s]+)', r.h('via')).group(1))
    um.wait(lambda m: m.method == 'ACK', 2)


def case_record_route():
    cid = token()
    rr_in = '<sip:p1@127.0.0.1:%d;lr>, <sip:p2@example.net;lr>' % CALLER_PORT
    invite(caller, cid, 'z9hG4bK' + token(), extra='Record-Route: %s\r\n' % rr_in)
    inv = um.wait(lambda m: m.method == 'INVITE', 5)
    respond(um, inv, 200, body=SDP, totag='umrr',
            extra='Record-Route: <sip:u1@127.0.0.1:%d;lr>, <sip:u2@example.org;lr>\r\n' % UM_PORT)
    ack = um.wait(lambda m: m.method == 'ACK', 5)
    check(ack is not None and re.search(r'<sip:u2@example.org;lr>[\s,]*<sip:u1@127.0.0.1:%d;lr>' % UM_PORT,
                                        ' '.join(ack.h('route', True))) is not None,
          'record-route: the ACK toward the UM follows the 2xx route set, reversed (RFC 3261 12.1.2)')
    ok = caller.wait(lambda m: m.code == 200 and m.h('call-id') == cid, 5)
    rr_out = ' '.join(ok.h('record-route', True)) if ok else ''
    check('p1@127.0.0.1' in rr_out and 'p2@example.net' in rr_out, 'record-route: the 200 copies Record-Route')
    totag = ok.tag('to') if ok else ''
    request(caller, 'ACK', cid, totag, 1)
    um.send('BYE sip:gw@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\n'
            'From: %s;tag=umrr\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n' % (
                GW[1], UM_PORT, token(), inv.h('to'), inv.h('from'), inv.h('call-id')))
    um.wait(lambda m: m.h('cseq') == '2 BYE', 3)
    bye = caller.wait(lambda m: m.method == 'BYE' and m.h('call-id') == cid, 5)
    check(bye is not None and re.search(r'<sip:p1@127.0.0.1:%d;lr>[\s,]*<sip:p2@example.net;lr>' % CALLER_PORT,
                                        ' '.join(bye.h('route', True))) is not None,
          'record-route: the BYE toward the caller follows the INVITE route set in order (12.1.1)%s' % ('' if bye else ' (no BYE)'))
    if bye:
        respond(caller, bye, 200)


for case in (case_options, case_record_route, case_forwarded, case_bad_ack, case_early_bye, case_bye_no_ack, case_trying_only, case_burst,
             case_reinvite):
    caller.drain()
    um.drain()
    case()
    time.sleep(0.3)
print('dialog_peer: %d passed, %d failed' % (Tally.passed, Tally.failed))
sys.exit(1 if Tally.failed else 0)
