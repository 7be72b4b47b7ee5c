#include "whatifcommand.h"

#include "review/reviewdocument.h"

namespace ew::ui {

WhatIfEditCommand::WhatIfEditCommand(
    ReviewDocument* document, Apply apply, WhatIfEdit edit, WhatIfEdit inverse, const QString& text)
    : m_document(document)
    , m_apply(std::move(apply))
    , m_edit(edit)
    , m_forward(std::move(edit))
    , m_inverse(std::move(inverse))
{
    setText(text);
}

void WhatIfEditCommand::redo()
{
    if (!m_applied) {
        WhatIfEdit inverse;
        if (!m_apply(m_forward, inverse, false)) {
            setObsolete(true);
            return;
        }
        m_inverse = std::move(inverse);
    }
    m_applied = false;
    m_document->appendWhatIfEdit(m_edit);
}

void WhatIfEditCommand::undo()
{
    WhatIfEdit again;
    if (m_apply(m_inverse, again, true))
        m_forward = std::move(again);
    m_document->removeLastWhatIfEdit();
}

} // namespace ew::ui
