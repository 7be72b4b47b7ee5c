#pragma once

#include "findings/ruleinspection.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace ew::ui {

/// For the selected finding: every NSG on its path with all its inbound rules in evaluation
/// order, the deciding rules marked, shadowed and inapplicable rules greyed with the reason, and
/// the plain-language explanation (Network Watcher's effective rules, per path).
class RuleInspector : public QWidget
{
    Q_OBJECT
public:
    enum Columns {
        PriorityColumn,
        NameColumn,
        AccessColumn,
        StatusColumn,
        SourceColumn,
        PortsColumn,
        ProtocolColumn,
        DestinationColumn,
        ReasonColumn,
        ColumnCount
    };
    explicit RuleInspector(QWidget* parent = nullptr);
    void setFinding(const Finding* finding, const FindingInspector* inspector);
    void clear();
    QTreeWidget* tree() const { return m_tree; }
    QString explanation() const;
    const FindingInspection& inspection() const { return m_inspection; }

    /// What a context menu is about: an NSG (ruleName empty) or one of its rules.
    struct RuleContext
    {
        QString nsgId; // normalised
        QString ruleName;
        QString level; // "subnet" or "nic"
        bool isDefault = false;
        bool disabled = false;
    };

Q_SIGNALS:
    /// The analyst asked to see a rule in its file (double click).
    void openLocation(const QString& file, const QString& pointer);
    /// Right click on an NSG or a rule (what-if edits).
    void ruleContextMenu(const ew::ui::RuleInspector::RuleContext& context, const QPoint& globalPos);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    /// Columns as wide as their text; the reason a column of its own when it has room, else a
    /// second line under each rule, so that a narrow window never pushes it out of view.
    void fitColumns();
    QLabel* m_explanation;
    QTreeWidget* m_tree;
    FindingInspection m_inspection;
};

} // namespace ew::ui
