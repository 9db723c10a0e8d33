"""Text that must survive every format it is written to.

XML 1.0 (Open311's requests.xml, the XML inside .xlsx files) forbids most control
characters and U+FFFE/U+FFFF; one resident's vertical tab in a description would make
the whole document unparseable for every client. Such characters are dropped.
"""

import re

# XML 1.0 Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (tab, LF and CR are kept)."""
    return _XML_FORBIDDEN.sub("", text)
