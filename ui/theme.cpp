#include "theme.h"

#include "report/nodepainter.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace ew::ui {

namespace {
QPalette s_systemPalette;
bool s_systemSaved = false;
} // namespace

void Theme::apply(const QString& name)
{
    if (!s_systemSaved) {
        s_systemPalette = QApplication::palette();
        s_systemSaved = true;
    }
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    if (name == QLatin1String("dark")) {
        QPalette p;
        const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
        p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x41));
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, window);
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::BrightText, Qt::white);
        p.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xd6));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::Link, QColor(0x7a, 0xb3, 0xff));
        p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
        QApplication::setPalette(p);
    } else if (name == QLatin1String("light")) {
        QApplication::setPalette(QApplication::style()->standardPalette());
    } else {
        QApplication::setPalette(s_systemPalette);
    }
}

bool Theme::isDark()
{
    return QApplication::palette().color(QPalette::Window).lightness() < 128;
}

QColor Theme::severityColor(Severity s)
{
    return ew::ui::severityColor(s);
}

QColor Theme::severityTextColor(Severity s)
{
    return s == Severity::Medium ? QColor(0x20, 0x20, 0x20) : QColor(Qt::white);
}

QString Theme::severityTitle(Severity s)
{
    QString name = QString::fromLatin1(severityName(s));
    if (!name.isEmpty())
        name[0] = name[0].toUpper();
    return name;
}

} // namespace ew::ui
