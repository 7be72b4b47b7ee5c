#include "triagecommands.h"

#include "reviewdocument.h"

namespace ew::ui {

SetDecisionsCommand::SetDecisionsCommand(
    ReviewDocument* document, std::map<std::string, Decision> after, const QString& text)
    : QUndoCommand(text)
    , m_document(document)
    , m_after(std::move(after))
{
    for (const auto& entry : m_after)
        m_before[entry.first] = document->decision(entry.first);
}

void SetDecisionsCommand::undo()
{
    m_document->applyDecisions(m_before);
}

void SetDecisionsCommand::redo()
{
    m_document->applyDecisions(m_after);
}

MarkDataStoreCommand::MarkDataStoreCommand(
    ReviewDocument* document, std::string resourceId, std::optional<std::string> engine, const QString& text)
    : QUndoCommand(text)
    , m_document(document)
    , m_resource(std::move(resourceId))
    , m_after(std::move(engine))
{
    const auto& stores = document->review().dataStores;
    if (auto it = stores.find(m_resource); it != stores.end())
        m_before = it->second;
}

void MarkDataStoreCommand::undo()
{
    m_document->applyDataStore(m_resource, m_before);
}

void MarkDataStoreCommand::redo()
{
    m_document->applyDataStore(m_resource, m_after);
}

} // namespace ew::ui
