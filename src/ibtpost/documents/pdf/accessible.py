"""What LibreOffice's PDF/UA export leaves to do before a letter is PDF/UA-1 and still
PDF/A-2b (pikepdf, on the open document, in the finishing step).

LibreOffice 7.4 with ``PDFUACompliance`` tags the letter, sets its language and title and
writes ``pdfuaid:part``, but (as an independent validator finds):

- it writes ``pdfuaid`` into the XMP without declaring it as a PDF/A extension schema, which
  PDF/A-2b requires (ISO 19005-2, 6.6.2.3); the declaration is added;
- the link of a footnote reference is an annotation outside the structure tree; it is put
  in a ``Link`` structure element (with an object reference, its ``/StructParent`` and a
  parent-tree entry) and described (``/Contents``);
- a page with annotations has no tab order (``/Tabs /S`` is set);
- a ``Note`` structure element (a footnote) has no ``/ID`` (a unique one is set).
"""

from __future__ import annotations

import pikepdf

#: the PDF/A extension schema that declares ``pdfuaid:part`` (ISO 14289-1, 5)
PDFUA_EXTENSION = b"""<rdf:Description rdf:about="" \
xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" \
xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
     <pdfaProperty:name>part</pdfaProperty:name>
     <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
     <pdfaProperty:category>internal</pdfaProperty:category>
     <pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
   </rdf:li></rdf:Bag></pdfaExtension:schemas>
  </rdf:Description>
"""


def is_pdfua(doc: pikepdf.Pdf) -> bool:
    """Whether the document's XMP says it is PDF/UA (``pdfuaid:part``)."""
    meta = doc.Root.get("/Metadata")
    return meta is not None and b"pdfuaid" in meta.read_bytes()


def make_accessible(doc: pikepdf.Pdf) -> None:
    """The finishing touches of a PDF/UA letter (see the module docstring); nothing for a
    document that does not claim PDF/UA."""
    if not is_pdfua(doc):
        return
    _declare_extension(doc)
    tree = doc.Root.get("/StructTreeRoot")
    if not isinstance(tree, pikepdf.Dictionary):
        return
    _link_annotations(doc, tree)
    _note_ids(tree)


def _declare_extension(doc: pikepdf.Pdf) -> None:
    meta = doc.Root.Metadata
    xml = meta.read_bytes()
    if b"pdfaExtension:schemas" in xml or b"</rdf:RDF>" not in xml:
        return
    meta.write(xml.replace(b"</rdf:RDF>", PDFUA_EXTENSION + b" </rdf:RDF>", 1))


def _link_annotations(doc: pikepdf.Pdf, tree: pikepdf.Dictionary) -> None:
    """Every link annotation in a ``Link`` element; every page with annotations in
    structure order."""
    nums = tree.ParentTree.get("/Nums")
    if nums is None:
        return
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    next_key = max([*keys, int(tree.get("/ParentTreeNextKey", 0)) - 1]) + 1
    kids = tree.K
    top = kids[0] if isinstance(kids, pikepdf.Array) else kids
    for page in doc.pages:
        annots = page.obj.get("/Annots")
        if not annots:
            continue
        page.obj.Tabs = pikepdf.Name.S
        for annot in annots:
            if annot.get("/Subtype") != "/Link" or "/StructParent" in annot:
                continue
            if "/Contents" not in annot:
                inner = "/URI" not in annot.get("/A", pikepdf.Dictionary())
                annot.Contents = pikepdf.String("Verwijzing naar de voetnoot" if inner else "Link")
            element = doc.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.StructElem,
                    S=pikepdf.Name.Link,
                    P=top,
                    Pg=page.obj,
                    K=pikepdf.Array(
                        [pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annot, Pg=page.obj)]
                    ),
                )
            )
            children = top.get("/K")
            if isinstance(children, pikepdf.Array):
                children.append(element)
            else:
                top.K = pikepdf.Array([children, element] if children is not None else [element])
            annot.StructParent = next_key
            nums.append(next_key)
            nums.append(element)
            next_key += 1
    tree.ParentTreeNextKey = next_key


def _note_ids(tree: pikepdf.Dictionary) -> None:
    """A unique ``/ID`` on every ``Note`` element."""
    count = 0
    stack: list[pikepdf.Object] = [tree.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") == "/OBJR":
            continue
        if node.get("/S") == "/Note" and not node.get("/ID"):
            count += 1
            node.ID = pikepdf.String(f"voetnoot-{count}")
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)
