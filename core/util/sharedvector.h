#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

namespace ew {

/// A vector whose copies share one storage until one of them changes it (copy on write).
///
/// Findings of one policy group carry the same rule evidence, sources and breakdowns: 55,755
/// findings of the L estate held a million copies of rule evidence (PERFORMANCE.md, BENCHMARKS.md).
/// Reading is a std::vector's const interface (and a conversion to const std::vector&); every change
/// goes through a member that first makes the storage this object's own. A shared storage is never
/// changed, so copies may be read from several threads (the reference count is atomic).
template <typename T> class SharedVector
{
public:
    using value_type = T;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using const_reference = const T&;
    using reference = const T&;
    using const_iterator = typename std::vector<T>::const_iterator;
    using iterator = const_iterator;

    SharedVector() = default;
    SharedVector(std::vector<T> values) // NOLINT(google-explicit-constructor): reads as the vector it was
        : m_data(values.empty() ? nullptr : std::make_shared<std::vector<T>>(std::move(values)))
    { }
    SharedVector(std::initializer_list<T> values)
        : SharedVector(std::vector<T>(values))
    { }
    template <typename It>
    SharedVector(It first, It last)
        : SharedVector(std::vector<T>(first, last))
    { }

    const std::vector<T>& get() const { return m_data ? *m_data : none(); }
    operator const std::vector<T>&() const { return get(); } // NOLINT(google-explicit-constructor)

    const_iterator begin() const { return get().begin(); }
    const_iterator end() const { return get().end(); }
    const_iterator cbegin() const { return begin(); }
    const_iterator cend() const { return end(); }
    std::size_t size() const { return m_data ? m_data->size() : 0; }
    bool empty() const { return !m_data || m_data->empty(); }
    const T& operator[](std::size_t i) const { return (*m_data)[i]; }
    const T& at(std::size_t i) const { return get().at(i); }
    const T& front() const { return m_data->front(); }
    const T& back() const { return m_data->back(); }
    /// Whether both read the same storage (then they are equal without comparing elements).
    bool sharesWith(const SharedVector& other) const { return m_data == other.m_data; }

    /// The storage, made this object's own first: for changes the members below do not cover.
    /// Detaching is decided by the reference count: safe because a storage shared between threads
    /// is only ever read (a thread that changes a vector holds a copy of its own).
    std::vector<T>& edit()
    {
        if (!m_data)
            m_data = std::make_shared<std::vector<T>>();
        else if (m_data.use_count() > 1)
            m_data = std::make_shared<std::vector<T>>(*m_data);
        return *m_data;
    }
    SharedVector& operator=(std::vector<T> values)
    {
        *this = SharedVector(std::move(values));
        return *this;
    }
    SharedVector& operator=(std::initializer_list<T> values)
    {
        *this = SharedVector(values);
        return *this;
    }
    void clear() { m_data.reset(); }
    void reserve(std::size_t n) { edit().reserve(n); }
    void resize(std::size_t n) { edit().resize(n); }
    void push_back(const T& value) { edit().push_back(value); }
    void push_back(T&& value) { edit().push_back(std::move(value)); }
    template <typename... Args> T& emplace_back(Args&&... args)
    {
        return edit().emplace_back(std::forward<Args>(args)...);
    }
    /// Inserts at pos (an iterator of this vector) the elements [first, last), which must not be
    /// this vector's own.
    template <typename It> void insert(const_iterator pos, It first, It last)
    {
        const auto at = pos - begin();
        auto& v = edit();
        v.insert(v.begin() + at, first, last);
    }
    void insert(const_iterator pos, const T& value)
    {
        const auto at = pos - begin();
        auto& v = edit();
        v.insert(v.begin() + at, value);
    }
    void erase(const_iterator first, const_iterator last)
    {
        const auto from = first - begin(), to = last - begin();
        auto& v = edit();
        v.erase(v.begin() + from, v.begin() + to);
    }
    void erase(const_iterator pos) { erase(pos, pos + 1); }

    friend bool operator==(const SharedVector& a, const SharedVector& b)
    {
        return a.m_data == b.m_data || a.get() == b.get();
    }
    friend bool operator==(const SharedVector& a, const std::vector<T>& b) { return a.get() == b; }

private:
    static const std::vector<T>& none()
    {
        static const std::vector<T> empty;
        return empty;
    }
    std::shared_ptr<std::vector<T>> m_data; // null when empty
};

/// Written as the vector it reads as (nlohmann_json finds this by argument-dependent lookup).
template <typename Json, typename T> void to_json(Json& j, const SharedVector<T>& v)
{
    j = v.get();
}

} // namespace ew
