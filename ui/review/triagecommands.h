#pragma once

#include "review/review.h"

#include <QUndoCommand>

#include <map>
#include <optional>
#include <string>

namespace ew::ui {

class ReviewDocument;

/// Sets the triage decision of one or more findings (state, owner, note), undoably.
class SetDecisionsCommand : public QUndoCommand
{
public:
    SetDecisionsCommand(ReviewDocument* document, std::map<std::string, Decision> after, const QString& text);
    void undo() override;
    void redo() override;

private:
    ReviewDocument* m_document;
    std::map<std::string, Decision> m_before;
    std::map<std::string, Decision> m_after;
};

/// Marks a resource as a data store of an engine, as "not a data store" (engine ""), or clears
/// the marking (nullopt), undoably. The findings are re-analysed after each step.
class MarkDataStoreCommand : public QUndoCommand
{
public:
    MarkDataStoreCommand(
        ReviewDocument* document, std::string resourceId, std::optional<std::string> engine, const QString& text);
    void undo() override;
    void redo() override;

private:
    ReviewDocument* m_document;
    std::string m_resource;
    std::optional<std::string> m_before;
    std::optional<std::string> m_after;
};

} // namespace ew::ui
