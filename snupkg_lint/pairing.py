"""How nuget.org's symbol validation pairs files by name, as indexes built once per package.

SymbolsValidatorService pairs a .pdb with the .dll/.exe of the same folder and base name, and
System.Reflection.Metadata looks the CodeView file name up in the assembly's folder; both compare
names with OrdinalIgnoreCase on Windows paths ('/' and '\\' alike). Each key is computed once per
entry and every lookup is a dict access, so pairing N PDBs with N assemblies costs O(N), not O(N²).
"""

from __future__ import annotations

from functools import cached_property
from typing import Iterable

from snupkg_lint.formats import netpath
from snupkg_lint.formats.archive import ZipEntry


def base_key(name: str) -> str:
    """ZipArchiveService.RemoveExtension, compared ignoring case: 'lib/net8.0/A.pdb' → 'LIB\\NET8.0\\A'."""
    return netpath.upper_invariant(netpath.without_extension(name))


def path_key(name: str) -> str:
    """A Windows path compared ignoring case: '/' read as '\\'."""
    return netpath.upper_invariant(name.replace("/", "\\"))


def _in_folder(folder: str, name: str) -> str:
    """The path key of `name` in `folder` (a '\\' path, '' for the root)."""
    return netpath.upper_invariant(f"{folder}\\{name}" if folder else name)


class PairingIndex:
    """The .snupkg's PDBs and the .nupkg's assemblies, indexed by the keys nuget.org pairs them on."""

    def __init__(self, pdbs: Iterable[ZipEntry], assemblies: tuple[ZipEntry, ...]):
        self._pdbs = pdbs
        self._assemblies = tuple(assemblies)
        self._base_keys: dict[str, str] = {}  # rules ask about the same entries again and again
        self._assemblies_by_base: dict[str, list[ZipEntry]] = {}
        for entry in self._assemblies:
            self._assemblies_by_base.setdefault(self._base_key(entry.name), []).append(entry)

    @cached_property
    def _assemblies_by_stem(self) -> dict[str, list[ZipEntry]]:
        """The assemblies by base name alone, built when a PDB without an assembly in its folder first asks."""
        by_stem: dict[str, list[ZipEntry]] = {}
        for entry in self._assemblies:
            by_stem.setdefault(netpath.upper_invariant(netpath.stem(entry.name)), []).append(entry)
        return by_stem

    @cached_property
    def _extracted(self) -> tuple[dict[str, ZipEntry], dict[str, ZipEntry]]:
        """The PDBs the job extracts (extension exactly '.pdb'), by path and by base name; built when an
        assembly first asks, so a .snupkg checked alone never pays for it."""
        by_path: dict[str, ZipEntry] = {}
        by_base: dict[str, ZipEntry] = {}
        for entry in self._pdbs:
            if netpath.extension(entry.name) == ".pdb":
                by_path.setdefault(path_key(entry.name), entry)  # a lookup finds the first
                by_base[self._base_key(entry.name)] = entry  # a later file of that name overwrites an earlier one
        return by_path, by_base

    def _base_key(self, name: str) -> str:
        key = self._base_keys.get(name)
        if key is None:
            key = self._base_keys[name] = base_key(name)
        return key

    def assemblies_for(self, pdb: ZipEntry) -> list[ZipEntry]:
        """The assemblies in the PDB's folder with its base name (any extension case), in zip order."""
        if not self._assemblies_by_base:
            return []
        return list(self._assemblies_by_base.get(self._base_key(pdb.name), ()))

    def assemblies_named(self, file_name: str) -> list[ZipEntry]:
        """The assemblies, in any folder, whose base name is that of `file_name`."""
        return list(self._assemblies_by_stem.get(netpath.upper_invariant(netpath.stem(file_name)), ()))

    def extracted_pdb_for(self, assembly: ZipEntry) -> ZipEntry | None:
        """The extracted PDB (extension exactly '.pdb') with the assembly's folder and base name."""
        return self._extracted[1].get(self._base_key(assembly.name))

    def extracted_pdb_at(self, folder: str, file_name: str) -> ZipEntry | None:
        """The extracted PDB whose path is `folder\\file_name` (folder '' for the root)."""
        return self._extracted[0].get(_in_folder(folder, file_name))

    @cached_property
    def _extracted_tree(self) -> tuple[dict[str, ZipEntry], frozenset[str]]:
        """The assemblies the job extracts (extension exactly .dll/.exe, beside an extracted PDB of their base
        name) by path, and every folder the extraction creates, as path keys."""
        by_path: dict[str, ZipEntry] = {}
        for entry in self._assemblies:
            if netpath.extension(entry.name) in (".dll", ".exe") and self.extracted_pdb_for(entry) is not None:
                by_path.setdefault(path_key(entry.name), entry)
        folders = set()
        for key in self._extracted[0]:
            while "\\" in key:
                key = key.rsplit("\\", 1)[0]
                folders.add(key)
        return by_path, frozenset(folders)

    def extracted_assembly_at(self, folder: str, file_name: str) -> ZipEntry | None:
        """The extracted assembly whose path is `folder\\file_name` (folder '' for the root)."""
        return self._extracted_tree[0].get(_in_folder(folder, file_name))

    def is_extracted_folder(self, folder: str, name: str) -> bool:
        """Whether extracting the package creates the folder `folder\\name`."""
        return _in_folder(folder, name) in self._extracted_tree[1]
