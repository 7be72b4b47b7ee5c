#include "ruleeditdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ew::ui {

namespace {

// "a, b" from a rule's single and plural fields.
QString listOf(const nlohmann::json& rule, const char* single, const char* plural)
{
    QStringList out;
    if (rule.contains(single) && rule[single].is_string())
        out << QString::fromStdString(rule[single].get<std::string>());
    if (rule.contains(plural) && rule[plural].is_array())
        for (const auto& v : rule[plural])
            out << QString::fromStdString(v.is_string() ? v.get<std::string>() : v.dump());
    return out.join(QStringLiteral(", "));
}

std::vector<std::string> split(const QString& text)
{
    std::vector<std::string> out;
    for (const auto& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString t = part.trimmed();
        if (!t.isEmpty())
            out.push_back(t.toStdString());
    }
    return out;
}

} // namespace

RuleEditDialog::RuleEditDialog(
    const QString& title, const QString& nsgName, const nlohmann::json& rule, QWidget* parent)
    : QDialog(parent)
    , m_original(rule)
{
    setWindowTitle(title);
    setMinimumWidth(520);
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_name = new QLineEdit(QString::fromStdString(rule.value("name", std::string())), this);
    m_priority = new QSpinBox(this);
    m_priority->setRange(100, 4096);
    m_priority->setValue(rule.value("priority", 100));
    m_access = new QComboBox(this);
    m_access->addItems({ QStringLiteral("Allow"), QStringLiteral("Deny") });
    m_access->setCurrentText(QString::fromStdString(rule.value("access", std::string("Deny"))));
    m_protocol = new QComboBox(this);
    m_protocol->addItems({ QStringLiteral("Tcp"), QStringLiteral("Udp"), QStringLiteral("Icmp"), QStringLiteral("*") });
    m_protocol->setCurrentText(QString::fromStdString(rule.value("protocol", std::string("Tcp"))));
    m_sources = new QLineEdit(listOf(rule, "sourceAddressPrefix", "sourceAddressPrefixes"), this);
    m_sources->setPlaceholderText(tr("Internet, 203.0.113.0/24, VirtualNetwork, *"));
    m_destinations = new QLineEdit(listOf(rule, "destinationAddressPrefix", "destinationAddressPrefixes"), this);
    m_destinations->setPlaceholderText(tr("*, 10.0.1.4, VirtualNetwork"));
    m_ports = new QLineEdit(listOf(rule, "destinationPortRange", "destinationPortRanges"), this);
    m_ports->setPlaceholderText(tr("22, 9200-9300, *"));
    m_description = new QLineEdit(QString::fromStdString(rule.value("description", std::string())), this);
    form->addRow(tr("Network security group:"), new QLabel(nsgName, this));
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Priority:"), m_priority);
    form->addRow(tr("&Action:"), m_access);
    form->addRow(tr("P&rotocol:"), m_protocol);
    form->addRow(tr("&Source:"), m_sources);
    form->addRow(tr("&Destination:"), m_destinations);
    form->addRow(tr("Destination p&orts:"), m_ports);
    form->addRow(tr("D&escription:"), m_description);
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c62828"));
    m_error->hide();
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Try It"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
}

nlohmann::json RuleEditDialog::rule() const
{
    nlohmann::json r = nlohmann::json::object();
    r["name"] = m_name->text().trimmed().toStdString();
    r["priority"] = m_priority->value();
    r["access"] = m_access->currentText().toStdString();
    r["direction"] = m_original.value("direction", std::string("Inbound"));
    r["protocol"] = m_protocol->currentText().toStdString();
    r["sourceAddressPrefixes"] = split(m_sources->text());
    r["destinationAddressPrefixes"] = split(m_destinations->text());
    r["destinationPortRanges"] = split(m_ports->text());
    for (const char* asg : { "sourceApplicationSecurityGroups", "destinationApplicationSecurityGroups" })
        if (m_original.contains(asg))
            r[asg] = m_original[asg];
    if (!m_description->text().trimmed().isEmpty())
        r["description"] = m_description->text().trimmed().toStdString();
    return r;
}

void RuleEditDialog::setError(const QString& error)
{
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
}

} // namespace ew::ui
