#include "ruleinspector.h"

#include "theme.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ew::ui {

namespace {
constexpr int kFileRole = Qt::UserRole + 1;
constexpr int kPointerRole = Qt::UserRole + 2;
constexpr int kStatusRole = Qt::UserRole + 3;
constexpr int kNsgRole = Qt::UserRole + 4; // normalised NSG id, on NSG and rule items
constexpr int kRuleRole = Qt::UserRole + 5; // rule name, on rule items
constexpr int kDefaultRole = Qt::UserRole + 6;
constexpr int kDisabledRole = Qt::UserRole + 7;
constexpr int kLevelRole = Qt::UserRole + 8; // "subnet" or "nic", on NSG items
constexpr int kReasonLineRole = Qt::UserRole + 9; // true on a rule's reason line

QString statusTitle(RuleRow::Status s)
{
    switch (s) {
    case RuleRow::Status::Deciding:
        return RuleInspector::tr("▶ deciding");
    case RuleRow::Status::Blocks:
        return RuleInspector::tr("blocks some");
    case RuleRow::Status::Other:
        return RuleInspector::tr("other traffic");
    case RuleRow::Status::Shadowed:
        return RuleInspector::tr("shadowed");
    case RuleRow::Status::NotApplicable:
        return RuleInspector::tr("not for this NIC");
    }
    return {};
}
} // namespace

RuleInspector::RuleInspector(QWidget* parent)
    : QWidget(parent)
    , m_explanation(new QLabel(this))
    , m_tree(new QTreeWidget(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_explanation->setWordWrap(true);
    m_explanation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_explanation->setObjectName(QStringLiteral("inspectorExplanation"));
    m_tree->setObjectName(QStringLiteral("inspectorRules"));
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({ tr("Priority"), tr("Rule"), tr("Access"), tr("Verdict"), tr("Source"), tr("Ports"),
        tr("Protocol"), tr("Destination"), tr("Why") });
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(true);
    layout->addWidget(m_explanation);
    layout->addWidget(m_tree, 1);
    m_tree->viewport()->installEventFilter(this);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_tree, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        auto* item = m_tree->itemAt(pos);
        if (!item || item->data(0, kNsgRole).toString().isEmpty())
            return;
        RuleContext c;
        c.nsgId = item->data(0, kNsgRole).toString();
        c.ruleName = item->data(0, kRuleRole).toString();
        c.isDefault = item->data(0, kDefaultRole).toBool();
        c.disabled = item->data(0, kDisabledRole).toBool();
        c.level = item->data(0, kLevelRole).toString();
        if (c.level.isEmpty() && item->parent())
            c.level = item->parent()->data(0, kLevelRole).toString();
        Q_EMIT ruleContextMenu(c, m_tree->viewport()->mapToGlobal(pos));
    });
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
        const QString file = item->data(0, kFileRole).toString();
        if (!file.isEmpty())
            Q_EMIT openLocation(file, item->data(0, kPointerRole).toString());
    });
    clear();
}

QString RuleInspector::explanation() const
{
    return m_explanation->text();
}

void RuleInspector::clear()
{
    m_inspection = {};
    m_tree->clear();
    m_explanation->setText(tr("Select a finding to see the rules that decide it."));
}

void RuleInspector::setFinding(const Finding* finding, const FindingInspector* inspector)
{
    if (!finding || !inspector) {
        clear();
        return;
    }
    m_inspection = inspector->inspect(*finding);
    m_tree->clear();
    m_explanation->setText(QString::fromStdString(m_inspection.explanation));
    const QPalette pal = palette();
    QFont bold = font();
    bold.setBold(true);
    QFont italic = font();
    italic.setItalic(true);
    for (const auto& fi : m_inspection.filters) {
        auto* top = new QTreeWidgetItem(m_tree);
        const QString level = fi.level == "subnet" ? tr("Subnet NSG")
            : fi.level == "gateway-subnet"         ? tr("Gateway subnet NSG")
            : fi.level == "network-acl"            ? tr("Subnet network ACL")
            : fi.level == "security-groups"        ? tr("Security groups")
            : fi.level == "lb-network-acl"         ? tr("Load balancer subnet network ACL")
            : fi.level == "lb-security-groups"     ? tr("Load balancer security groups")
                                                   : tr("NIC NSG");
        top->setText(0,
            fi.nsgName.empty() ? tr("%1: none").arg(level)
                               : tr("%1 %2").arg(level, QString::fromStdString(fi.nsgName)));
        top->setFirstColumnSpanned(true);
        top->setFont(0, bold);
        top->setData(0, kNsgRole, QString::fromStdString(normaliseId(fi.nsgId)));
        top->setData(0, kLevelRole, QString::fromStdString(fi.level));
        top->setToolTip(0, QString::fromStdString(fi.summary));
        auto* summary = new QTreeWidgetItem(top);
        summary->setText(
            0, QString::fromStdString(fi.summary) + tr(" (protects %1)").arg(QString::fromStdString(fi.protects)));
        summary->setFirstColumnSpanned(true);
        summary->setFont(0, italic);
        for (const auto& r : fi.rules) {
            auto* item = new QTreeWidgetItem(top);
            item->setText(PriorityColumn, QString::number(r.priority));
            item->setText(NameColumn, QString::fromStdString(r.name) + (r.isDefault ? tr(" (default)") : QString()));
            item->setText(AccessColumn, r.allow ? tr("Allow") : tr("Deny"));
            item->setText(ProtocolColumn, QString::fromStdString(r.protocol));
            item->setText(SourceColumn, QString::fromStdString(r.source));
            item->setText(DestinationColumn, QString::fromStdString(r.destination));
            item->setText(PortsColumn, QString::fromStdString(r.ports));
            // A rule a what-if edit disabled is left out of evaluation: that is its verdict, not
            // "not for this NIC" (the engine files it under NotApplicable).
            item->setText(StatusColumn, r.disabled ? tr("disabled") : statusTitle(r.status));
            item->setText(ReasonColumn, QString::fromStdString(r.reason));
            item->setData(0, kFileRole, QString::fromStdString(r.where.file));
            item->setData(0, kPointerRole, QString::fromStdString(r.where.pointer));
            item->setData(0, kStatusRole, QString::fromLatin1(ruleStatusName(r.status)));
            item->setData(0, kNsgRole, QString::fromStdString(normaliseId(fi.nsgId)));
            item->setData(0, kRuleRole, QString::fromStdString(r.name));
            item->setData(0, kDefaultRole, r.isDefault);
            item->setData(0, kDisabledRole, r.disabled);
            if (r.disabled)
                item->setText(NameColumn, item->text(NameColumn) + tr(" (disabled)"));
            const QString tip = QString::fromStdString(r.reason + "\n" + r.where.toString());
            for (int c = 0; c < ColumnCount; ++c)
                item->setToolTip(c, tip);
            // In a narrow window the reason is a second line under its rule (fitColumns).
            auto* why = new QTreeWidgetItem(item);
            why->setText(0, QString::fromStdString(r.reason));
            why->setToolTip(0, tip);
            why->setFirstColumnSpanned(true);
            why->setData(0, kFileRole, item->data(0, kFileRole));
            why->setData(0, kPointerRole, item->data(0, kPointerRole));
            why->setData(0, kReasonLineRole, true);
            why->setForeground(0, pal.color(QPalette::PlaceholderText));
            item->setExpanded(true);
            if (r.status == RuleRow::Status::Deciding) {
                const QColor band = Theme::severityColor(finding->severity);
                QColor bg = band;
                bg.setAlpha(60);
                for (int c = 0; c < ColumnCount; ++c) {
                    item->setFont(c, bold);
                    item->setBackground(c, bg);
                }
            } else if (r.status == RuleRow::Status::Shadowed || r.status == RuleRow::Status::NotApplicable) {
                for (int c = 0; c < ColumnCount; ++c) {
                    item->setForeground(c, pal.color(QPalette::Disabled, QPalette::Text));
                    item->setFont(c, italic);
                }
            }
        }
        top->setExpanded(true);
    }
    fitColumns();
}

bool RuleInspector::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_tree->viewport() && event->type() == QEvent::Resize)
        fitColumns(); // the viewport's own width: it is laid out after this widget's resize
    return QWidget::eventFilter(watched, event);
}

void RuleInspector::fitColumns()
{
    const int ch = fontMetrics().averageCharWidth();
    int used = 0;
    for (int c = 0; c < ReasonColumn; ++c) {
        m_tree->resizeColumnToContents(c);
        if (c == NameColumn)
            m_tree->setColumnWidth(c, std::min(m_tree->columnWidth(c), 30 * ch));
        used += m_tree->columnWidth(c);
    }
    // The reason is a column when every rule's fits beside the other columns, else a second line
    // under each rule, as wide as the tree (eliding only there; the tooltip has it whole).
    QFont bold = font();
    bold.setBold(true); // deciding rules are bold
    const QFontMetrics metrics(bold);
    int reason = 0;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        for (int j = 0; j < m_tree->topLevelItem(i)->childCount(); ++j)
            reason = std::max(reason, metrics.horizontalAdvance(m_tree->topLevelItem(i)->child(j)->text(ReasonColumn)));
    const bool column = used + reason + 2 * ch <= m_tree->viewport()->width();
    m_tree->setColumnHidden(ReasonColumn, !column);
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem* top = m_tree->topLevelItem(i);
        for (int j = 0; j < top->childCount(); ++j)
            for (int k = 0; k < top->child(j)->childCount(); ++k)
                if (QTreeWidgetItem* line = top->child(j)->child(k); line->data(0, kReasonLineRole).toBool())
                    line->setHidden(column);
    }
}

} // namespace ew::ui
