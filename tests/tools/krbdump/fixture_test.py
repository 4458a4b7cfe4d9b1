#!/usr/bin/env python3
"""krbdump.fixture: credentials made just now by the fixture KDC (not the recorded ones):
MIT kinit + kvno and kerb-kinit write fresh ccaches; the KDC's krbtgt key is exported unchanged
(kadmin.local ktadd -norandkey); krbdump must decrypt every ticket (exit 0) and agree with MIT's
klist on principals, times, flags and enctypes, and on the exported keytab's entries.

    fixture_test.py KRBDUMP KERB_KINIT       (run with the fixture's env file sourced)
"""

import os
import subprocess
import sys
import tempfile

from krbdump_check import Checker
from oracle_klist_test import check_ccache, check_keytab


def main():
    krbdump, kerb_kinit = sys.argv[1], sys.argv[2]
    realm = os.environ["KERB_TEST_REALM"]
    password = os.environ["KERB_TEST_PASSWORD_ALICE"]
    c = Checker("krbdump.fixture")
    with tempfile.TemporaryDirectory() as work:
        mit_cc = os.path.join(work, "mit.ccache")
        kerb_cc = os.path.join(work, "kerb.ccache")
        tgt_kt = os.path.join(work, "krbtgt.keytab")
        env = dict(os.environ, KRB5CCNAME=f"FILE:{mit_cc}")
        subprocess.run(["kinit", "-f", f"alice@{realm}"], input=password + "\n", text=True,
                       env=env, check=True, capture_output=True)
        subprocess.run(["kvno", f"host/bank.test@{realm}"], env=env, check=True,
                       capture_output=True)
        subprocess.run([kerb_kinit, "-f", "-c", f"FILE:{kerb_cc}", "--fetch", "host/bank.test",
                        "alice"], input=password + "\n", text=True, check=True,
                       capture_output=True)
        subprocess.run(["kadmin.local", "-q",
                        f"ktadd -norandkey -k {tgt_kt} krbtgt/{realm}@{realm}"], check=True,
                       capture_output=True)
        keys = ["--keytab", tgt_kt, "--keytab", os.environ["KERB_TEST_KEYTAB"]]
        check_ccache(c, krbdump, keys, mit_cc)
        check_ccache(c, krbdump, keys, kerb_cc)
        check_keytab(c, krbdump, tgt_kt)
        check_keytab(c, krbdump, os.environ["KERB_TEST_KEYTAB"])
    c.done()


if __name__ == "__main__":
    main()
