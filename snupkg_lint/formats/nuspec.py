"""The nuspec manifest, read the way NuGet's NuspecReader and nuget.org's PackageMetadata read it.

Parsing is hardened: no DTD (nuget.org prohibits one, and it is where entity attacks live), no entity
resolution, no network, bounded input. The objects keep what the server looks at — element local
names, namespaces, values — and leave every judgement to the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from lxml import etree

from snupkg_lint.formats import system_xml
from snupkg_lint.formats.source import FormatError

MAX_NUSPEC_BYTES = 8 * 1024 * 1024

DTD_PROHIBITED = (
    "For security reasons DTD is prohibited in this XML document. To enable DTD processing set "
    "the DtdProcessing property on XmlReaderSettings to Parse and pass the settings into XmlReader.Create method."
)  # System.Xml Xml_DtdIsProhibitedEx, thrown without line information (ThrowWithoutLineInfo)


class NuspecError(FormatError):
    """The nuspec is not well-formed XML (nuget.org: an XmlException, HTTP 500)."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@dataclass(frozen=True)
class Element:
    """A direct child of <metadata> (or any element the rules look at)."""

    name: str  # local name, exact case
    namespace: str
    value: str  # XElement.Value: all descendant text nodes NuGet's reader keeps, concatenated (see _Texts)
    has_children: bool
    attributes: dict[str, str]
    line: int | None
    default_namespace: str  # XElement.GetDefaultNamespace(): the xmlns="..." in scope here
    _node: etree._Element = field(repr=False, compare=False)
    _doc: "_Document" = field(repr=False, compare=False)

    def children(self, name: str, namespace: str) -> list["Element"]:
        return [_element(c, self._doc) for c in self._node if _is(c, name, namespace)]


def _is(node: etree._Element, name: str, namespace: str) -> bool:
    if not isinstance(node.tag, str):
        return False
    q = etree.QName(node)
    return q.localname == name and (q.namespace or "") == namespace


_XML_WHITESPACE = frozenset(" \t\r\n")


class _Texts:
    """The text nodes .NET's reader keeps, in document order, and which of them lie inside each element.

    NuspecCoreReaderBase reads with XmlReaderSettings.IgnoreWhitespace: a text node made only of XML white space
    (space, tab, CR, LF) is dropped, unless it lies in the scope of xml:space="preserve" (a SignificantWhitespace
    node) or is a CDATA section. A comment or processing instruction ends a text node. lxml merges CDATA into the
    text around it, so the nodes are read again with expat (no DTD reaches this point: the lxml pass refused it).
    """

    def __init__(self, data: bytes):
        self.runs: list[str] = []
        self.spans: list[list[int]] = []  # per element in document order: [first run, end run]
        self._open: list[int] = []
        self._preserve: list[bool] = [False]
        self._text: list[str] = []
        self._cdata = False
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._refuse
        parser.EntityDeclHandler = self._refuse
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text.append
        parser.StartCdataSectionHandler = self._cdata_start
        parser.EndCdataSectionHandler = self._cdata_end
        parser.CommentHandler = lambda _text: self._flush()
        parser.ProcessingInstructionHandler = lambda _target, _text: self._flush()
        parser.Parse(data, True)

    @staticmethod
    def _refuse(*_args: object) -> None:
        raise ValueError("a DTD")

    def _flush(self, cdata: bool = False) -> None:
        if not self._text:
            return
        text = "".join(self._text)
        self._text.clear()
        if cdata or self._preserve[-1] or not all(c in _XML_WHITESPACE for c in text):
            self.runs.append(text)

    def _cdata_start(self) -> None:
        self._flush()

    def _cdata_end(self) -> None:
        self._flush(cdata=True)

    def _start(self, _name: str, attrs: dict[str, str]) -> None:
        self._flush()
        space = attrs.get("xml:space")
        self._preserve.append(space == "preserve" if space in ("preserve", "default") else self._preserve[-1])
        self._open.append(len(self.spans))
        self.spans.append([len(self.runs), -1])

    def _end(self, _name: str) -> None:
        self._flush()
        self._preserve.pop()
        self.spans[self._open.pop()][1] = len(self.runs)

    def value(self, index: int) -> str:
        first, end = self.spans[index]
        return "".join(self.runs[first:end])


class _Document:
    """The parsed tree and, per element, XElement.Value as NuGet reads it."""

    def __init__(self, root: etree._Element, data: bytes):
        self._index = {node: n for n, node in enumerate(root.iter()) if isinstance(node.tag, str)}
        try:
            texts: _Texts | None = _Texts(data)
        except (expat.ExpatError, ValueError, LookupError, UnicodeError):
            texts = None
        self._texts = texts if texts is not None and len(texts.spans) == len(self._index) else None

    def value(self, node: etree._Element) -> str:
        if self._texts is not None:
            return self._texts.value(self._index[node])
        return "".join(t for t in node.itertext() if t.strip(" \t\r\n"))  # lxml's view, when expat differs


def _element(node: etree._Element, doc: _Document) -> Element:
    q = etree.QName(node)
    attrs = {etree.QName(k).localname: v for k, v in node.attrib.items() if not etree.QName(k).namespace}
    return Element(
        name=q.localname,
        namespace=q.namespace or "",
        value=doc.value(node),
        has_children=any(isinstance(c.tag, str) for c in node),
        attributes=attrs,
        line=node.sourceline,
        default_namespace=node.nsmap.get(None) or "",
        _node=node,
        _doc=doc,
    )


@dataclass(frozen=True)
class Dependency:
    id: str | None  # the raw attribute, None when absent
    version: str | None  # the raw attribute, None when absent
    include: str | None = None
    exclude: str | None = None


@dataclass(frozen=True)
class DependencyGroup:
    target_framework: str | None  # None: no <group> elements (the legacy flat list) or no attribute
    dependencies: tuple[Dependency, ...]


@dataclass(frozen=True)
class Nuspec:
    root_name: str
    metadata: Element | None  # None: the root has no child named 'metadata'

    @property
    def namespace(self) -> str:
        """The metadata element's *default* namespace (the xmlns="..." in scope), where NuspecCoreReaderBase
        looks for id, version, packageTypes and dependencies; not necessarily <metadata>'s own namespace."""
        return self.metadata.default_namespace if self.metadata else ""

    @property
    def children(self) -> list[Element]:
        """Direct element children of <metadata>, any namespace, in document order."""
        if self.metadata is None:
            return []
        return [_element(c, self.metadata._doc) for c in self.metadata._node if isinstance(c.tag, str)]

    def first(self, name: str) -> Element | None:
        """First child with this exact local name in the metadata namespace (NuspecCoreReaderBase)."""
        for child in self.children:
            if child.name == name and child.namespace == self.namespace:
                return child
        return None

    def leaf_values(self) -> list[tuple[str, str]]:
        """NuspecReader.GetMetadata(): (local name, value) of non-empty leaf children, any namespace."""
        return [(c.name, c.value) for c in self.children if not c.has_children and c.value != ""]

    def value(self, name: str) -> str | None:
        """PackageMetadata's case-insensitive lookup over leaf_values() (first match)."""
        for key, val in self.leaf_values():
            if key.lower() == name.lower():
                return val
        return None

    @property
    def min_client_version(self) -> str | None:
        return self.metadata.attributes.get("minClientVersion") if self.metadata else None

    def package_types(self) -> list[Element]:
        """Every <packageType> under every <packageTypes> (NuspecUtility.GetPackageTypes)."""
        out: list[Element] = []
        for types in self._all("packageTypes"):
            out.extend(types.children("packageType", self.namespace))
        return out

    def dependency_groups(self) -> list[DependencyGroup]:
        """NuspecReader.GetDependencyGroups: <group>s if any, else the flat list as one group."""
        groups: list[DependencyGroup] = []
        for deps in self._all("dependencies"):
            found = deps.children("group", self.namespace)
            if found:
                groups.extend(
                    DependencyGroup(g.attributes.get("targetFramework"), self._deps(g)) for g in found
                )
            else:
                flat = self._deps(deps)
                if flat:
                    groups.append(DependencyGroup(None, flat))
        return groups

    def framework_assemblies(self) -> list[Element]:
        """NuspecReader.GetFrameworkAssemblyGroups: looked up in the *root* element's default namespace."""
        if self.metadata is None:
            return []
        root = self.metadata._node.getparent()
        ns = (root.nsmap.get(None) or "") if root is not None else ""
        out: list[Element] = []
        for fa in (c for c in self.children if c.name == "frameworkAssemblies" and c.namespace == ns):
            out.extend(fa.children("frameworkAssembly", ns))
        return out

    def _all(self, name: str) -> list[Element]:
        return [c for c in self.children if c.name == name and c.namespace == self.namespace]

    def _deps(self, parent: Element) -> tuple[Dependency, ...]:
        return tuple(
            Dependency(d.attributes.get("id"), d.attributes.get("version"), d.attributes.get("include"),
                       d.attributes.get("exclude"))
            for d in parent.children("dependency", self.namespace)
        )


def parse_nuspec(data: bytes) -> Nuspec:
    """Parse nuspec bytes. Raises NuspecError with .NET's XmlException message for the common errors (system_xml),
    else lxml's."""
    if len(data) > MAX_NUSPEC_BYTES:
        raise NuspecError(f"the nuspec is {len(data):,} bytes; snupkg-lint reads at most {MAX_NUSPEC_BYTES:,}")
    refused = system_xml.refusal(data)  # what .NET refuses and lxml reads: XML 1.1, a contradicted BOM
    if refused is not None:
        raise NuspecError(refused)
    data = system_xml.as_decoded(data)  # a UTF-8 BOM gives way to a declared single-byte encoding
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise NuspecError(system_xml.dotnet_message(data, exc) or str(exc)) from None
    except (ValueError, UnicodeError, LookupError) as exc:
        raise NuspecError(str(exc)) from None
    if root is None:
        raise NuspecError("Root element is missing.")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        # The parser neither loaded nor expanded it (no DTD loading, no entities, no network); nuget.org's
        # XmlReader refuses any DTD outright, so we refuse it too.
        raise NuspecError(DTD_PROHIBITED)
    refused = system_xml.xml_space_refusal(root, data)
    if refused is not None:
        raise NuspecError(refused)
    metadata = next((c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == "metadata"), None)
    doc = _Document(root, data)
    return Nuspec(root_name=etree.QName(root).localname,
                  metadata=_element(metadata, doc) if metadata is not None else None)


def dotnet_length(text: str) -> int:
    """String.Length as .NET counts it: UTF-16 code units, so a character outside the BMP (an emoji) counts 2."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2
