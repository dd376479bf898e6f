"""The structure tree of a dossier joined from the trees of the documents it is made of.

The dossier's text pages come from one tagged document (inventory, text pieces,
chronology), its letters from tagged letters of their own. The joined tree has one
``Document`` element holding, in the dossier's order, the text document's elements of each
section and each letter's elements; every page's ``/StructParents`` and annotation's
``/StructParent`` is renumbered into one parent tree, and the role maps are merged. A tree
this module cannot read (a nested parent tree, no tree at all) leaves the dossier untagged
(:func:`untag`), which PDF/A-2b allows.
"""

from __future__ import annotations

from collections.abc import Sequence

import pikepdf


class Unjoinable(Exception):
    """A structure tree this module does not join."""


def _nums(tree: pikepdf.Object) -> pikepdf.Array:
    parent = tree.get("/ParentTree")
    if not isinstance(parent, pikepdf.Dictionary) or "/Kids" in parent:
        raise Unjoinable("no flat parent tree")
    nums = parent.get("/Nums")
    if not isinstance(nums, pikepdf.Array):
        raise Unjoinable("no flat parent tree")
    return nums


def _document(tree: pikepdf.Object) -> pikepdf.Dictionary:
    kids = tree.get("/K")
    if isinstance(kids, pikepdf.Array) and len(kids) == 1:
        kids = kids[0]
    if not isinstance(kids, pikepdf.Dictionary):
        raise Unjoinable("no single top element")
    return kids


def _children(element: pikepdf.Dictionary) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _first_page(element: pikepdf.Object) -> tuple[int, int] | None:
    """The page (objgen) an element's content starts on, if it names one."""
    stack = [element]
    while stack:
        node = stack.pop(0)
        if isinstance(node, pikepdf.Dictionary):
            page = node.get("/Pg")
            if page is not None:
                return page.objgen
            stack.extend(_children(node))
        elif isinstance(node, pikepdf.Array):
            stack.extend(node)
    return None


class StructureJoin:
    """Joins structure trees into ``out``'s, whose own tree is the text document's."""

    def __init__(self, out: pikepdf.Pdf) -> None:
        self.out = out
        tree = out.Root.get("/StructTreeRoot")
        if not isinstance(tree, pikepdf.Dictionary):
            raise Unjoinable("the text document is not tagged")
        self.tree = tree
        self.nums = _nums(tree)
        keys = [int(self.nums[i]) for i in range(0, len(self.nums), 2)]
        self.next_key = max([*keys, -1]) + 1
        own = _document(tree)
        self.text = [(child, _first_page(child)) for child in _children(own)]
        self.used: set[int] = set()
        self.document = out.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem,
                S=pikepdf.Name.Document,
                P=tree,
                K=pikepdf.Array(),
                Lang=pikepdf.String("nl-NL"),
            )
        )
        if "/RoleMap" not in tree:
            tree.RoleMap = pikepdf.Dictionary()

    def _append(self, element: pikepdf.Object) -> None:
        if isinstance(element, pikepdf.Dictionary):
            element.P = self.document
        self.document.K.append(element)

    def add_text(self, pages: Sequence[pikepdf.Object]) -> None:
        """The text document's elements that start on ``pages`` (a section), in order."""
        wanted = {page.objgen for page in pages}
        for index, (child, page) in enumerate(self.text):
            if index not in self.used and page in wanted:
                self.used.add(index)
                self._append(child)

    def add_document(self, source: pikepdf.Pdf, pages: list[pikepdf.Page]) -> None:
        """The tree of ``source``, whose pages were just appended to ``out`` as ``pages``."""
        tree = source.Root.get("/StructTreeRoot")
        if not isinstance(tree, pikepdf.Dictionary):
            raise Unjoinable("a document is not tagged")
        nums = _nums(tree)
        offset = self.next_key
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annot in page.obj.get("/Annots", []):
                if isinstance(annot, pikepdf.Dictionary) and "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + offset
        last = -1
        for i in range(0, len(nums), 2):
            key = int(nums[i])
            last = max(last, key)
            self.nums.append(key + offset)
            self.nums.append(self._copy(nums[i + 1]))
        self.next_key = offset + last + 1
        copied = self._copy(_document(tree))
        if not isinstance(copied, pikepdf.Dictionary):
            raise Unjoinable("a document's top element did not copy")
        for element in _children(copied):
            self._append(element)
        for name, role in tree.get("/RoleMap", pikepdf.Dictionary()).items():
            if name not in self.tree.RoleMap:
                self.tree.RoleMap[name] = role

    def _copy(self, obj: pikepdf.Object) -> pikepdf.Object:
        """``obj`` of another document in ``out``: an indirect object copied (once, its
        pages mapped to the pages already copied), a direct array or dictionary item by
        item."""
        if obj.is_indirect:
            return self.out.copy_foreign(obj)
        if isinstance(obj, pikepdf.Array):
            return pikepdf.Array([self._copy(item) for item in obj])
        if isinstance(obj, pikepdf.Dictionary):
            return pikepdf.Dictionary({key: self._copy(value) for key, value in obj.items()})
        return obj

    def finish(self) -> None:
        """The joined tree in place of the text document's."""
        for index, (child, _) in enumerate(self.text):
            if index not in self.used:  # an element on no page of a section: kept at the end
                self._append(child)
        self.tree.K = self.document
        self.tree.ParentTreeNextKey = self.next_key


def untag(doc: pikepdf.Pdf) -> None:
    """No structure at all (PDF/A-2b asks none): no tree, and no page or annotation that
    points into one."""
    for key in ("/StructTreeRoot", "/MarkInfo"):
        if key in doc.Root:
            del doc.Root[key]
    for page in doc.pages:
        if "/StructParents" in page.obj:
            del page.obj["/StructParents"]
        for annot in page.obj.get("/Annots", []):
            if isinstance(annot, pikepdf.Dictionary) and "/StructParent" in annot:
                del annot["/StructParent"]
