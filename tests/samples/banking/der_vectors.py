#!/usr/bin/env python3
"""Encodes a few BankProtocol values (samples/banking/bank_protocol.asn1) with pyasn1's DER
encoder: the expected bytes of protocol_test.cpp's vectors, from a codec independent of the one
under test. Run it to print them: python3 tests/samples/banking/der_vectors.py"""
from pyasn1.codec.der import encoder
from pyasn1.type import char, namedtype, tag, univ, useful


def ctx(n):
    return tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, n)


def explicit(n, value):
    """[n] EXPLICIT around `value` (the module's EXPLICIT TAGS)."""
    return value.subtype(explicitTag=ctx(n))


def sequence(*fields):
    """A SEQUENCE of (name, [n], value) fields, all present."""
    tagged = [(name, explicit(n, v)) for name, n, v in fields]

    class Seq(univ.Sequence):
        componentType = namedtype.NamedTypes(
            *[namedtype.NamedType(name, value.clone()) for name, value in tagged])

    s = Seq()
    for name, value in tagged:
        s.setComponentByName(name, value)
    return s


def choice(n, value):
    """A CHOICE alternative [n]: on the wire just the explicitly tagged alternative."""
    return explicit(n, value)


def key(first):
    return univ.OctetString(bytes(range(first, first + 16)))


def show(name, value):
    print(f"{name}: {encoder.encode(value).hex()}")


# Request { request-id 7, body pay { payee phone "+4915100000002", amount 1250, currency "EUR",
#           idempotency-key 00..0f } }
payment = sequence(
    ("payee", 0, choice(1, char.IA5String("+4915100000002"))),
    ("amount", 1, univ.Integer(1250)),
    ("currency", 2, char.IA5String("EUR")),
    ("idempotency-key", 3, key(0)),
)
show("request_pay_phone", sequence(("request-id", 0, univ.Integer(7)),
                                   ("body", 1, choice(1, payment))))

# Request { request-id 4294967295, body history { limit 1000 } }
show("request_history", sequence(("request-id", 0, univ.Integer(4294967295)),
                                 ("body", 1, choice(2, sequence(("limit", 0, univ.Integer(1000)))))))

# Request { request-id 0, body balance NULL }
show("request_balance", sequence(("request-id", 0, univ.Integer(0)),
                                 ("body", 1, choice(0, univ.Null("")))))

# Reply { request-id 7, body paid Receipt { transaction { txid 42, time 2024-05-01 12:00:00Z,
#         DE0001 -> DE0002, 1250 EUR, key 00..0f }, mic 0xAA x 12 } }
transaction = sequence(
    ("txid", 0, univ.Integer(42)),
    ("time", 1, useful.GeneralizedTime("20240501120000Z")),
    ("from-account", 2, char.IA5String("DE0001")),
    ("to-account", 3, char.IA5String("DE0002")),
    ("amount", 4, univ.Integer(1250)),
    ("currency", 5, char.IA5String("EUR")),
    ("idempotency-key", 6, key(0)),
)
show("transaction", transaction)
receipt = sequence(("transaction", 0, transaction), ("mic", 1, univ.OctetString(b"\xaa" * 12)))
show("reply_paid", sequence(("request-id", 0, univ.Integer(7)), ("body", 1, choice(1, receipt))))

# ServerFrame refused { code 2, text "ticket expired", error-token 01 02 03 }
show("server_refused", choice(2, sequence(("code", 0, univ.Integer(2)),
                                          ("text", 1, char.UTF8String("ticket expired")),
                                          ("error-token", 2, univ.OctetString(b"\x01\x02\x03")))))

# ClientFrame resume { context-id 10..1f, request 60 03 01 02 03 }
show("client_resume", choice(1, sequence(("context-id", 0, key(0x10)),
                                         ("request", 1, univ.OctetString(b"\x60\x03\x01\x02\x03")))))
