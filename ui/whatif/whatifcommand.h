#pragma once

#include "whatif/whatif.h"

#include <QUndoCommand>

#include <functional>

namespace ew::ui {

class ReviewDocument;

/// One what-if edit on the undo stack. The edit was applied before the command is pushed (so a
/// refused edit never reaches the stack); undo applies its inverse and redo the edit again. The
/// review's scenario follows.
class WhatIfEditCommand : public QUndoCommand
{
public:
    /// Applies an edit to the session and publishes the result; false when it was refused.
    /// `undoing` is true when the edit is the inverse of this command's edit.
    using Apply = std::function<bool(const WhatIfEdit& edit, WhatIfEdit& inverse, bool undoing)>;
    WhatIfEditCommand(ReviewDocument* document, Apply apply, WhatIfEdit edit, WhatIfEdit inverse, const QString& text);

    void undo() override;
    void redo() override;

private:
    ReviewDocument* m_document;
    Apply m_apply;
    WhatIfEdit m_edit; // as recorded in the review
    WhatIfEdit m_forward; // what redo applies
    WhatIfEdit m_inverse; // what undo applies
    bool m_applied = true;
};

} // namespace ew::ui
