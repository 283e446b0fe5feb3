#!/usr/bin/env python3
"""Golden cases for tests/model/TextCleanTest.cpp: the released X-WAM instruction cleaning.

The released tokenizer (Wan2.2's HuggingfaceTokenizer with clean="whitespace") turns an instruction
into whitespace_clean(basic_clean(text)):
  ftfy.fix_text(text) → html.unescape(html.unescape(·)) → strip() → regex.sub(r"\\s+", " ", ·).strip()
This script applies exactly that (with the `regex` module, as the released code does) to the tricky
strings below and prints JSON {"ftfy": version, "cases": [{"input", "expected"}, ...]}.

Our C++ leaves NFC to the tokenizer's NFKC. For inputs where ftfy's NFC step shows, the case also
carries "expected_before_nfc" (the same cleaning with ftfy's normalization=None), which is what the
C++ returns; the script checks that NFKC makes both equal, so the token ids are the same.

Regenerate (ftfy and regex from PyPI, in a venv outside the repository):
  python3 -m venv /tmp/ftfy-venv && /tmp/ftfy-venv/bin/pip install ftfy regex
  /tmp/ftfy-venv/bin/python tests/model/text_clean_golden.py > tests/model/fixtures/text_clean.json
"""
import html
import json
import sys
import unicodedata

import ftfy
import regex


def released_clean(text, **ftfy_options):
    text = ftfy.fix_text(text, **ftfy_options)
    text = html.unescape(html.unescape(text)).strip()
    return regex.sub(r"\s+", " ", text).strip()


def mojibake(text, encoding="windows-1252"):
    """`text` as UTF-8 bytes wrongly decoded in a single-byte encoding (holes become U+FFFD)."""
    return text.encode("utf-8").decode(encoding, errors="replace")


CASES = [
    # plain instructions and whitespace
    "pick up the red cube",
    "Put the cup in the bowl.",
    "",
    "   ",
    "  pick\tup   the red\n\ncube  ",
    "stack\u00a0the\u2003blocks\u3000now\u202f!",
    "line one\r\nline two\rline three\u2028four\u2029five\u0085six",
    "a\x0bb\x0cc\x1cd\x1fe",
    # HTML entities: named, numeric, double-escaped, without ';', unknown
    "put the cup &amp; the plate in the bowl",
    "put the cup &amp;amp; the plate in the bowl",
    "&amp;amp;amp;amp; deep",
    "&lt;b&gt;bold&lt;/b&gt; move",
    "it&apos;s &quot;red&quot; &mdash; really &hellip;",
    "&eacute;t&eacute; &EACUTE;T&EACUTE; &Eacute;",
    "&copy &amp &lt no semicolons &notit; &ampx",
    "&#65;&#x42;&#X43; &#8217;quoted&#8217; &#x201c;dq&#x201D;",
    "&#128;uro &#150; &#153; &#129; &#0; &#13;x &#xD800; &#1114112; &#x110000; &#65535;",
    "&#59; semicolon &#x3b; and &#59 bare &#38;amp;",
    "&unknown; &#; &#x; & alone &&amp;",
    "&check; &rarr; &frac12; &nbsp;space&NewLine;nl&Tab;tab",
    "a < b &amp; c",
    "first line &amp;\nsecond < line &amp; third\nthird &amp; line",
    "&rsquo;tis &lt;x&gt; with < later",
    "&SZLIG; &sZlig; &AMP; &AMP &COPY;",
    # mojibake (UTF-8 read as Windows-1252 / Latin-1)
    mojibake("café au lait"),
    mojibake("put the cup on the plate — carefully"),
    mojibake("don’t drop the “egg”"),
    mojibake("déplacez la tasse à gauche"),
    mojibake("Müller’s robot arm: 90°"),
    mojibake("naïve piñata jalapeño"),
    "caf\u00c3\u00a9 and café together",
    mojibake("emoji 🤖 arm"),
    mojibake("東京 cup"),
    "The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows.",
    "voil\u00c3\u00a0 le travail",
    "Ã la mode",
    "c\u00c3\u00a9 \u00e2\u20ac\u201c ok",
    "move it \u00e2\u20ac\u0153here\u00e2\u20ac\ufffd now",
    mojibake("schön") + " and " + "échelle",
    mojibake("café", "latin-1") + " latin-1",
    "\u0080 C1 controls \u0093quoted\u0094 \u0081",
    "only \u0093quoted\u0094",
    # typography: curly quotes, ligatures, fullwidth, halfwidth
    "don\u2019t push the \u201cred\u201d block \u2018now\u2019",
    "\u201ahigh\u201b \u201elow\u201f \u02bcapostrophe",
    "\ufb01ll the \ufb02ask, \ufb00 \ufb03 \ufb04 \ufb05 \ufb06 \u0133 \u01c4 \u0149",
    "\uff30\uff49\uff43\uff4b\u3000\uff55\uff50\uff01 \uff11\uff12\uff13",
    "\uff06\uff41\uff4d\uff50\uff1b fullwidth entity",
    "\uff76\uff9e\uff7c\uff9e\uff71 halfwidth \uffe5100 \uffe3macron",
    # control characters, terminal escapes, byte order mark
    "\ufeffpick up\u200b the cube",
    "\x1b[31mred\x1b[0m cube \x1b[1;32;40mgreen\x1b[m",
    "bell\x07 null\x00 del\x7f esc\x1b alone",
    "\u206aarabic\u206f \ufff9ann\ufffb \ufffc obj",
    # other scripts, emoji, accents
    "把红色的方块放进碗里",
    "赤いブロックを 青い箱に 入れて",
    "поставь чашку на стол",
    "βάλε το κύπελλο",
    "robot 🤖 grabs 🍎 and 👍🏽 family 👨\u200d👩\u200d👧",
    "crème brûlée, Ångström, São Paulo, Øresund",
    "e\u0301te\u0301 decomposed accents",
    "\ufffd replacement char",
    "x² ½ µm 10³ ™ ©",
]


def main():
    cases = []
    for text in CASES:
        case = {"input": text, "expected": released_clean(text)}
        before_nfc = released_clean(text, normalization=None)
        if before_nfc != case["expected"]:
            assert unicodedata.normalize("NFKC", before_nfc) == unicodedata.normalize("NFKC", case["expected"]), text
            case["expected_before_nfc"] = before_nfc
        cases.append(case)
    json.dump({"ftfy": ftfy.__version__, "regex": regex.__version__, "cases": cases}, sys.stdout,
              ensure_ascii=True, indent=1)
    print()


if __name__ == "__main__":
    main()
