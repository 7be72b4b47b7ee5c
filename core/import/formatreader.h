#pragma once

// The importer's inside: one reader per family of export formats behind one interface, offered
// every document in turn. Not part of the core's interface (simdjson stays private to it).

#include "model/snapshot.h"

#include <simdjson.h>

#include <string>

namespace ew {

/// One document handed to a reader: decoded to UTF-8 and parsed, with its record in the snapshot.
struct Document
{
    std::string file; // the path as given or found
    InputFile* input = nullptr; // its record in Snapshot::files: the reader sets format and counts resources
    bool named = false; // named on the command line (not found in a folder)
    simdjson::dom::element root;
    const simdjson::padded_string* text = nullptr; // the decoded text (a template is evaluated from it)
};

/// A reader of one family of export formats (Azure's shapes: az CLI, REST, ARM/Bicep, PowerShell,
/// Resource Graph, service tags). Readers recognise documents by content (their top-level keys),
/// never by file name; the first reader that recognises a document reads it.
class FormatReader
{
public:
    virtual ~FormatReader() = default;
    /// Whether the document is in one of this reader's formats.
    virtual bool recognise(simdjson::dom::element root) const = 0;
    /// Reads the document into the snapshot. Every problem becomes a diagnostic with file and place;
    /// a document with nothing for the analysis is marked skipped with the reason.
    virtual void read(const Document& doc) = 0;
    /// After every file: links references between documents (the linker) and states what is missing.
    virtual void link() = 0;
    /// After every reader has linked: a reader that hands translated documents to the others moves
    /// the locations they recorded back to its own file (the Terraform reader).
    virtual void finish() { }
};

} // namespace ew
