"""What .NET Framework's XmlReader (System.Xml, nuget.org's runtime) says about a nuspec it cannot read.

nuget.org answers HTTP 500 with the XmlException's message as the reason phrase: the resource text (referencesource
System.Xml/System.Xml.txt) followed by " Line {n}, position {m}." where the reader knows where it is. lxml finds the
same errors with other words; `dotnet_message` rewords the common ones. `refusal` finds what .NET refuses and
lxml reads: an XML declaration other than version 1.0, an encoding declaration that contradicts the byte order
mark, an xml:space value other than default or preserve. Positions are 1-based, in UTF-16 code units of the
decoded text, lines ended by CR, LF or CRLF, as XmlTextReaderImpl counts them.
"""

from __future__ import annotations

import re

from lxml import etree

UNDECLARED_ENTITY = "Reference to undeclared entity '{0}'."
TAG_MISMATCH = "The '{0}' start tag on line {1} position {2} does not match the end tag of '{3}'."
UNCLOSED = "Unexpected end of file has occurred. The following elements are not closed: {0}"
MISSING_ROOT = "Root element is missing."
ROOT_DATA = "Data at the root level is invalid."
MULTIPLE_ROOTS = "There are multiple root elements."
DUPLICATE_ATTRIBUTE = "'{0}' is a duplicate attribute name."
UNKNOWN_PREFIX = "'{0}' is an undeclared prefix."
BAD_START_NAME = "Name cannot begin with the '{0}' character, hexadecimal value {1}."
UNEXPECTED_TOKEN = "'{0}' is an unexpected token. The expected token is '{1}'."
ENTITY_NAME = "An error occurred while parsing EntityName."
INVALID_VERSION = "Version number '{0}' is invalid."
NO_BOM = "There is no Unicode byte order mark. Cannot switch to Unicode."
INVALID_CHARACTER = "'{0}', hexadecimal value {1}, is an invalid character."
INVALID_XML_SPACE = "'{0}' is an invalid xml:space value."
UNEXPECTED_END_TAG = "Unexpected end tag."
UNEXPECTED_TOKENS2 = "'{0}' is an unexpected token. The expected token is '{1}' or '{2}'."
CDATA_END = "']]>' is not allowed in character data."
BAD_ENCODING = "Invalid character in the given encoding."
BAD_ATTRIBUTE_CHAR = "'{0}', hexadecimal value {1}, is an invalid attribute character."
DECLARATION_NOT_FIRST = ("Unexpected XML declaration. The XML declaration must be the first node in the document, and "
                         "no white space characters are allowed to appear before it.")
POSITION = " Line {0}, position {1}."

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_DECLARATION = re.compile(r'<\?xml(\s+version\s*=\s*)(["\'])([^"\']*)\2(?:\s+encoding\s*=\s*(["\'])([^"\']*)\4)?')
_UTF16_NAMES = {"utf-16", "utf-16le", "utf-16be", "ucs-2", "iso-10646-ucs-2", "unicode", "unicodefffe", "ucs-4"}
_NAME = re.compile(r"[^\s<>&;=\"'/!?]+")


def _decode(data: bytes) -> tuple[str, str]:
    """(the text, the encoding XmlTextReaderImpl.DetectEncoding finds from the first bytes: utf-8 or utf-16)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", "replace"), "utf-16"
    if data[:4] == b"<\x00?\x00":
        return data.decode("utf-16-le", "replace"), "utf-16"
    if data[:4] == b"\x00<\x00?":
        return data.decode("utf-16-be", "replace"), "utf-16"
    return data.decode("utf-8", "replace"), "utf-8"


def _line_column(text: str, index: int) -> tuple[int, int]:
    before = text[:index].replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _where(text: str, index: int) -> str:
    """' Line n, position m.' for the character at `index`."""
    return POSITION.format(*_line_column(text, index))


def _index(text: str, line: int, column: int = 1) -> int:
    """The index of a 1-based (line, column) as lxml reports it."""
    lines = re.split(r"(?<=\r\n)|(?<=\n)|(?<=\r)(?!\n)", text)
    return sum(len(x) for x in lines[: line - 1]) + max(column - 1, 0)


def _find_on_line(text: str, line: int, pattern: str, last: bool = False) -> int | None:
    start = _index(text, line)
    end = text.find("\n", start)
    segment = text[start:end if end != -1 else len(text)]
    found = [m.start() for m in re.finditer(pattern, segment)]
    if not found:
        return None
    return start + (found[-1] if last else found[0])


def refusal(data: bytes) -> str | None:
    """An XmlException .NET raises before or besides anything lxml sees, or None."""
    text, detected = _decode(data)
    declaration = _DECLARATION.match(text)
    if declaration is None:
        return None
    version = declaration.group(3)
    if version != "1.0":  # XML 1.0 Fourth Edition only
        return INVALID_VERSION.format(version) + _where(text, declaration.start(3))
    encoding = (declaration.group(5) or "").lower()
    if not encoding:
        return None
    if encoding in ("utf-16", "ucs-2", "iso-10646-ucs-2") and detected != "utf-16":
        return NO_BOM  # CheckEncoding: no line information
    if detected == "utf-16" and encoding not in _UTF16_NAMES:
        # The reader switches to the declared single-byte encoding after the declaration: UTF-16's zero bytes follow
        end = text.find("?>", declaration.end())
        if end == -1:
            return None
        start = len(data) - len(data.lstrip(b"\xff\xfe")) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else 0
        head = text[: end + 2]
        rest = data[start + 2 * len(head):].decode("latin-1")
        nul = rest.find("\x00")
        if nul != -1:
            return INVALID_CHARACTER.format(".", "0x00") + _where(head + rest, len(head) + nul)
    return None


def as_decoded(data: bytes) -> bytes:
    """The bytes to hand lxml so that it decodes them as XmlTextReaderImpl does: after a UTF-8 byte order mark, a
    declared single-byte encoding (`iso-8859-1`, `windows-1252`) still takes over once the declaration is read
    (CheckEncoding, then SwitchEncoding), where lxml would keep UTF-8. The mark is then dropped and the declaration
    decides; a declared UTF-16 is refused before (`refusal`)."""
    if not data.startswith(b"\xef\xbb\xbf"):
        return data
    declaration = _DECLARATION.match(data[3:].decode("utf-8", "replace"))
    encoding = ((declaration.group(5) if declaration else None) or "utf-8").lower()
    return data if encoding in ("utf-8", "utf8") or encoding in _UTF16_NAMES else data[3:]


def xml_space_refusal(root: etree._Element, data: bytes) -> str | None:
    """xml:space must be 'default' or 'preserve' (lxml accepts any value)."""
    text, _ = _decode(data)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        value = node.get(f"{{{_XML_NS}}}space")
        if value is not None and value not in ("default", "preserve"):
            at = _find_on_line(text, node.sourceline or 1, r"xml:space")
            return INVALID_XML_SPACE.format(value) + (_where(text, at) if at is not None else "")
    return None


def dotnet_message(data: bytes, exc: etree.XMLSyntaxError) -> str | None:
    """System.Xml's text for the error lxml reports, where it is one of the common ones; else None."""
    text, _ = _decode(data)
    line, column = exc.position if exc.position else (exc.lineno or 1, 1)
    message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
    code = exc.code
    if code == 26:  # XML_ERR_UNDECLARED_ENTITY
        name = re.match(r"Entity '([^']*)' not defined", message)
        if name:
            at = _find_on_line(text, line, "&" + re.escape(name.group(1)) + ";")
            return UNDECLARED_ENTITY.format(name.group(1)) + (_where(text, at + 1) if at is not None else "")
    if code == 76:  # XML_ERR_TAG_NAME_MISMATCH
        found = re.match(r"Opening and ending tag mismatch: ([^\s,]+) line (\d+) and ([^\s,]+)", message)
        if found:
            start, start_line, end = found.group(1), int(found.group(2)), found.group(3)
            at_start = _find_on_line(text, start_line, r"<(?:[^\s<>/:]+:)?" + re.escape(start) + r"(?=[\s/>])",
                                     last=True)
            at_end = _find_on_line(text, line, r"</(?:[^\s<>/:]+:)?" + re.escape(end) + r"(?=[\s>])")
            if at_start is not None and at_end is not None:  # .NET names them with their prefixes
                start = _NAME.match(text, at_start + 1).group()
                end = _NAME.match(text, at_end + 2).group()
                column_start = _line_column(text, at_start + 1)[1]
                return TAG_MISMATCH.format(start, start_line, column_start, end) + _where(text, at_end + 2)
    if code == 77:  # XML_ERR_TAG_NOT_FINISHED: the end of the data inside open elements
        return _unclosed(text)
    if code == 4:  # XML_ERR_DOCUMENT_EMPTY
        stripped = text.lstrip(" \t\r\n")
        if not stripped or stripped.startswith("<?") and ">" in stripped and not stripped.split(">", 1)[1].strip():
            return MISSING_ROOT
        return ROOT_DATA + _where(text, len(text) - len(stripped))
    if code == 5:  # XML_ERR_DOCUMENT_END: content after the root element
        at = _index(text, line, column)
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        if text[at:at + 1] == "<" and _NAME.match(text, at + 1):
            return MULTIPLE_ROOTS + _where(text, at + 1)
        if text[at:at + 1] != "<":
            return ROOT_DATA + _where(text, at)
    if code == 42:  # XML_ERR_ATTRIBUTE_REDEFINED
        found = re.match(r"Attribute (\S+) redefined", message)
        if found:
            at = _find_on_line(text, line, r"(?<=\s)" + re.escape(found.group(1)) + r"\s*=", last=True)
            return DUPLICATE_ATTRIBUTE.format(found.group(1)) + (_where(text, at) if at is not None else "")
    if code == 201:  # XML_NS_ERR_UNDEFINED_NAMESPACE
        found = re.match(r"Namespace prefix (\S+) (?:on|for) (\S+) is not defined", message)
        if found:
            at = _find_on_line(text, line, r"<" + re.escape(found.group(1)) + ":")
            return UNKNOWN_PREFIX.format(found.group(1)) + (_where(text, at + 1) if at is not None else "")
    at = _index(text, line, column)  # lxml's column: the character after a '<' or '&'; else where it failed
    if message.startswith("xmlParseEntityRef: no name"):
        return ENTITY_NAME + _where(text, at)
    if message.startswith("StartTag: invalid element name"):
        if at >= len(text):  # the data ends right after '<'
            return _unclosed(text[:-1], len(text))
        if text[at] == "/":  # an end tag at the root level
            return UNEXPECTED_END_TAG + _where(text, at + 1)
        return BAD_START_NAME.format(*_char_args(text[at])) + _where(text, at)
    if code == 23:  # XML_ERR_ENTITYREF_SEMICOL_MISSING
        amp = text.rfind("&", 0, at)
        if amp != -1:
            name = _NAME.match(text, amp + 1)
            if name is None:
                return ENTITY_NAME + _where(text, amp + 1)
            return UNEXPECTED_TOKEN.format(_token(text, name.end()), ";") + _where(text, name.end())
    simple = {62: CDATA_END, 81: BAD_ENCODING}
    if code in (62, 81):
        return simple[code] + _where(text, at)
    if code == 9:  # XML_ERR_INVALID_CHAR
        value = re.search(r"Char value (\d+)", message)
        if value:
            return INVALID_CHARACTER.format(*_char_args(chr(int(value.group(1))))) + _where(text, at)
    if code == 38 and at < len(text):  # '<' in an attribute value
        return BAD_ATTRIBUTE_CHAR.format(*_char_args(text[at])) + _where(text, at)
    if code == 39 and at < len(text):  # an attribute value without quotes
        return UNEXPECTED_TOKENS2.format(_token(text, at), '"', "'") + _where(text, at)
    if code == 64:  # an XML declaration after the start
        decl = text.rfind("<?xml", 0, at)
        if decl != -1:
            return DECLARATION_NOT_FIRST + _where(text, decl + 2)
    return None


def _char_args(char: str) -> tuple[str, str]:
    """XmlException.BuildCharExceptionArgs: the character ('.' for U+0000) and its code as 0xNN."""
    return ("." if char == "\x00" else char), f"0x{ord(char):02X}"


def _token(text: str, at: int) -> str:
    """ParseUnexpectedToken: the name starting here, else the one character."""
    name = re.match(r"[\w.\-\u00b7]+", text[at:])
    return name.group() if name else text[at:at + 1]


def _unclosed(text: str, end: int | None = None) -> str | None:
    """The open elements at the end of the data, innermost first, as ThrowUnclosedElements lists them."""
    stack: list[str] = []
    for tag in re.finditer(r"<(/?)([^\s/>!?]+)[^>]*?(/?)>|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", text, re.S):
        if tag.group(2) is None:
            continue
        if tag.group(1):
            if stack and stack[-1] == tag.group(2):
                stack.pop()
        elif not tag.group(3):
            stack.append(tag.group(2))
    if text.rfind("<") > text.rfind(">") or not stack:  # cut off inside a tag: lxml's words stay
        return None
    return UNCLOSED.format(", ".join(reversed(stack)) + ".") + _where(text + " ", end or len(text))
