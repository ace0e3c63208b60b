"""The package engine: a workbook file treated as what it is, a package of parts.

A command reads only the parts it needs and writes a new file in which every part it has no
reason to change is copied as its compressed bytes; a sheet it writes into is rewritten only
where the plan says, keeping every element it does not understand.

    archive     the zip: parts read within a budget, untouched parts copied raw
    opc         content types and relationships, edited rather than regenerated
    parts       Parts: the store of parts (read, replaced, added, removed) and writing the new file
    book        Package: the workbook part over the parts: sheets, tables, names, properties
    reading     typed values via python-calamine, made exact and safe from the sheet XML
    sparse      the reader for sheets calamine's dense grid cannot take (far-apart cells)
    values      SheetValues: a sheet's current values for the command chain
    sheet_edit  the rewrite of a user's sheet (only the cells in the plan): rows spliced, the frame
    row_writer  ... one row's cells rebuilt, new rows in a grown table's look
    cell_edit   ... what an edit is: CellEdit, Grown, SheetContext
    sheet_cells finding rows and cells in a sheet's XML by byte search
    regular     giving rows and cells their positions where a writer left them out
    generated   generated sheets (Findings, Rollup, Dashboard ...) and their part
    styles      StyleBook: styles.xml, deriving and reusing looks
    notes       comments and their VML shapes
    charts      drawing and chart parts of generated sheets
    writing     turning a surface's edits into parts
    sheet_reads SheetReads: what the file holds, read once per command chain (styles, values)
    surface     PackageSurface: the surface protocol over all of the above
"""
