#pragma once

#include "findings/finding.h"

#include <QWidget>

#include <vector>

class QVariantAnimation;

namespace ew::ui {

/// Presentation mode: one exposure path at a time, full screen, large type, the path drawn from
/// the internet to the target as an animation; Right/Space/PageDown for the next, Left/PageUp for
/// the previous, Home/End, Escape to leave.
class PresentationView : public QWidget
{
    Q_OBJECT
public:
    explicit PresentationView(QWidget* parent = nullptr);
    /// The findings to walk through (most severe first), starting at start.
    void setFindings(std::vector<Finding> findings, std::size_t start = 0);
    void setAnimated(bool animated) { m_animated = animated; }
    std::size_t current() const { return m_current; }
    std::size_t count() const { return m_findings.size(); }
    const Finding* currentFinding() const;
    void next();
    void previous();
    /// Animation progress, 0..1 (1: the whole path is drawn).
    qreal progress() const { return m_progress; }

Q_SIGNALS:
    void closed();

protected:
    void paintEvent(QPaintEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    void showFinding(std::size_t index);
    std::vector<Finding> m_findings;
    std::size_t m_current = 0;
    qreal m_progress = 1;
    bool m_animated = true;
    QVariantAnimation* m_animation;
};

} // namespace ew::ui
