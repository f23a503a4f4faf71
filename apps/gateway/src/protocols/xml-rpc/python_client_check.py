"""Python's standard-library xmlrpc.client against a live Junction gateway.

Run by python-client.int.spec.ts as `python3 python_client_check.py http://127.0.0.1:PORT/RPC2`.
Prints one JSON object with what each check saw; the Jest test asserts on it. Standard library
only: a client that needs nothing installed is the point.
"""

import calendar
import datetime
import json
import random
import sys
import urllib.request
import xmlrpc.client

URL = sys.argv[1]
SEEDS = [1, 2, 3, 42, 1998]
ALPHABET = ['a', 'Z', '0', ' ', '<', '>', '&', "'", '"', '\u00e9', '\u65e5', '\U0001F600', '\n', ';', '/']

plain = xmlrpc.client.ServerProxy(URL, allow_none=True)
builtin = xmlrpc.client.ServerProxy(URL, allow_none=True, use_builtin_types=True)


def fault_of(call):
    try:
        return {'value': call()}
    except xmlrpc.client.Fault as f:
        return {'faultCode': f.faultCode, 'faultString': f.faultString}


def text(r, most):
    return ''.join(r.choice(ALPHABET) for _ in range(r.randint(0, most)))


def stooges(r):
    return {'moe': r.randint(-1000, 1000), 'larry': r.randint(-1000, 1000), 'curly': r.randint(-1000, 1000)}


def moment(r):
    # Naive, whole seconds: XML-RPC's dateTime has neither zone nor fraction.
    return datetime.datetime(r.randint(1901, 2100), r.randint(1, 12), r.randint(1, 28), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))


def checked(method, seed, sent, expected, got):
    return {'method': method, 'seed': seed, 'ok': expected == got, 'expected': repr(expected), 'got': repr(got), 'sent': repr(sent)[:300]}


def validator1(seed):
    r = random.Random(seed)
    v = plain.validator1
    out = []

    structs = [stooges(r) for _ in range(r.randint(1, 30))]
    out.append(checked('arrayOfStructsTest', seed, structs, sum(s['curly'] for s in structs), v.arrayOfStructsTest(structs)))

    t = text(r, 200)
    counts = {'ctLeftAngleBrackets': t.count('<'), 'ctRightAngleBrackets': t.count('>'), 'ctAmpersands': t.count('&'), 'ctApostrophes': t.count("'"), 'ctQuotes': t.count('"')}
    out.append(checked('countTheEntities', seed, t, counts, v.countTheEntities(t)))

    s = stooges(r)
    out.append(checked('easyStructTest', seed, s, s['moe'] + s['larry'] + s['curly'], v.easyStructTest(s)))

    pick = [lambda: stooges(r), lambda: text(r, 20), lambda: r.random() * 1000, lambda: r.random() < 0.5, lambda: [r.randint(0, 9), text(r, 5)], lambda: {'deep': {'er': text(r, 5)}}, lambda: None]
    struct = {'substruct%d' % i: r.choice(pick)() for i in range(r.randint(1, 15))}
    out.append(checked('echoStructTest', seed, struct, struct, v.echoStructTest(struct)))

    when = moment(r)
    data = bytes(r.randint(0, 255) for _ in range(r.randint(0, 64)))
    args = [r.randint(-2**31, 2**31 - 1), r.random() < 0.5, text(r, 40), (r.random() - 0.5) * 1e6, xmlrpc.client.DateTime(when), xmlrpc.client.Binary(data)]
    got = v.manyTypesTest(*args)
    # Without use_builtin_types: a DateTime (compared by its text) and a Binary (by its bytes).
    typed = [got[0], got[1], got[2], got[3], type(got[4]).__name__ + ':' + str(got[4]), type(got[5]).__name__ + ':' + got[5].data.hex()]
    expected = args[:4] + ['DateTime:' + when.strftime('%Y%m%dT%H:%M:%S'), 'Binary:' + data.hex()]
    out.append(checked('manyTypesTest', seed, args, expected, typed))

    strings = [text(r, 12) for _ in range(r.randint(100, 200))]
    out.append(checked('moderateSizeArrayCheck', seed, len(strings), strings[0] + strings[-1], v.moderateSizeArrayCheck(strings)))

    cal = {str(y): {'%02d' % m: {'%02d' % d: stooges(r) for d in range(1, 29) if r.random() < 0.2} for m in range(1, 13) if r.random() < 0.5} for y in range(1998, 2003)}
    day = stooges(r)
    cal.setdefault('2000', {}).setdefault('04', {})['01'] = day
    out.append(checked('nestedStructTest', seed, '(calendar)', day['moe'] + day['larry'] + day['curly'], v.nestedStructTest(cal)))

    n = r.randint(-2000000, 2000000)
    out.append(checked('simpleStructReturnTest', seed, n, {'times10': n * 10, 'times100': n * 100, 'times1000': n * 1000}, v.simpleStructReturnTest(n)))
    return out


def dates_and_bytes():
    when = datetime.datetime(1998, 7, 17, 14, 8, 55)
    all_bytes = bytes(range(256))
    builtin_back = builtin.validator1.manyTypesTest(1, True, 's', 1.5, when, all_bytes)
    plain_back = plain.validator1.manyTypesTest(1, True, 's', 1.5, xmlrpc.client.DateTime(when), xmlrpc.client.Binary(all_bytes))
    kinds = plain.wire.kinds(xmlrpc.client.DateTime(when), xmlrpc.client.Binary(b'\x00\xff'), [{'at': xmlrpc.client.DateTime(when), 'tag': xmlrpc.client.Binary(b'\x01')}])
    return {
        # use_builtin_types=True: datetime and bytes both ways.
        'builtinDateTime': [type(builtin_back[4]).__name__, builtin_back[4] == when],
        'builtinBytes': [type(builtin_back[5]).__name__, builtin_back[5] == all_bytes],
        # Without: xmlrpc.client.DateTime and Binary both ways.
        'plainDateTime': [type(plain_back[4]).__name__, plain_back[4].value, plain_back[4] == xmlrpc.client.DateTime(when)],
        'plainBinary': [type(plain_back[5]).__name__, plain_back[5].data == all_bytes],
        # The handler's Date is the moment written, read as UTC.
        'handlerKinds': kinds['kinds'],
        'handlerEpochMs': kinds['epochs'][0],
        'expectedEpochMs': calendar.timegm(when.timetuple()) * 1000,
        'later': builtin.wire.later(when, 3) == when + datetime.timedelta(days=3),
        'reversed': builtin.wire.reversed(all_bytes) == all_bytes[::-1],
        'zoneInText': plain.wire.later(xmlrpc.client.DateTime('19980717T16:08:55+02:00'), 0).value,
    }


def multicall():
    m = xmlrpc.client.MultiCall(plain)
    m.calc.subtract(42, 23)
    m.calc.divide(1, 0)
    m.calc.nope()
    m.validator1.easyStructTest({'moe': 1, 'larry': 2, 'curly': 3})
    m.calc.subtract('forty-two', 1)
    slots = []
    results = m()
    for i in range(5):
        slots.append(fault_of(lambda: results[i]))
    return slots


def post(body):
    request = urllib.request.Request(URL, data=body.encode('utf-8') if isinstance(body, str) else body, headers={'Content-Type': 'text/xml'})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return fault_of(lambda: xmlrpc.client.loads(response.read())[0][0])
    except (ConnectionError, urllib.error.URLError) as e:
        return {'error': repr(e)}


def hostile():
    entities = '<!ENTITY lol "lol">' + ''.join('<!ENTITY lol%d "%s">' % (i, ('&lol%s;' % ('' if i == 1 else i - 1)) * 10) for i in range(1, 10))
    call = '<methodCall><methodName>calc.sum</methodName><params>%s</params></methodCall>'
    bodies = {
        'billionLaughs': '<?xml version="1.0"?><!DOCTYPE lolz [%s]>' % entities + call % '<param><value>&lol9;</value></param>',
        'externalEntity': '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + call % '<param><value>&xxe;</value></param>',
        'oversized': xmlrpc.client.dumps((['x' * 1100000],), 'calc.sum'),
        'absurdNesting': call % ('<param>' + '<value><array><data>' * 20000 + '<value><int>1</int></value>' + '</data></array></value>' * 20000 + '</param>'),
    }
    out = {}
    for name, body in bodies.items():
        out[name] = post(body)
        out[name + 'ThenSubtract'] = plain.calc.subtract(42, 23)
    return out


def main():
    result = {
        'subtract': plain.calc.subtract(42, 23),
        'listMethods': plain.system.listMethods(),
        'methodSignature': plain.system.methodSignature('validator1.manyTypesTest'),
        'multicall': multicall(),
        'faults': {
            'badParams': fault_of(lambda: plain.calc.subtract('forty-two', 1)),
            'unknownMethod': fault_of(lambda: plain.calc.nope()),
            'unknownService': fault_of(lambda: plain.nosuch.method()),
            'serviceError': fault_of(lambda: plain.calc.divide(3, 0)),
        },
        'validator1': [c for seed in SEEDS for c in validator1(seed)],
        'datesAndBytes': dates_and_bytes(),
        'hostile': hostile(),
    }
    json.dump(result, sys.stdout)


if __name__ == '__main__':
    main()
