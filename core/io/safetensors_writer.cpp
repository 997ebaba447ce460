// Writers of .safetensors files (see safetensors.hpp): one header plan (checks, the reference
// writer's data order, the padded JSON) shared by the in-memory serializer and the streaming
// writer, so both give byte for byte what Python's safetensors writes.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <utility>

#include "core/io/atomic_write.hpp"
#include "core/io/safetensors.hpp"
#include "core/io/safetensors_detail.hpp"

namespace fp4lab::core {

using namespace safetensors_detail;

namespace {

using json = nlohmann::json;

// The padded header, where each slot's data lies after it, and the order they follow it in.
struct HeaderPlan {
  std::string header;
  std::vector<std::size_t> order;      // slot indices in data order
  std::vector<std::uint64_t> offsets;  // by slot index, relative to the data section
  std::vector<std::uint64_t> sizes;    // by slot index
};

// Checks the slots (and, when given, that sizes[i] bytes are what slot i needs) and lays them
// out. Throws std::invalid_argument naming the first bad slot.
HeaderPlan plan_header(std::span<const SafetensorsSlot> slots,
                       const std::map<std::string, std::string>& metadata,
                       std::span<const std::uint64_t> given_sizes = {}) {
  HeaderPlan out;
  std::set<std::string_view> seen;
  for (std::size_t k = 0; k < slots.size(); ++k) {
    const SafetensorsSlot& e = slots[k];
    const std::string where = "safetensors entry " + quote_name(e.name) + ": ";
    if (e.name == "__metadata__") throw std::invalid_argument(where + "the name is reserved");
    if (!seen.insert(e.name).second) throw std::invalid_argument(where + "duplicate name");
    const int bits = safetensors_dtype_bits(e.dtype);
    if (bits == 0) throw std::invalid_argument(where + "unknown dtype " + quote_name(e.dtype));
    std::int64_t numel = 0;
    try {
      numel = shape_numel(e.shape);
    } catch (const std::invalid_argument& ex) {
      throw std::invalid_argument(where + ex.what());
    }
    const std::int64_t need = byte_size(numel, bits);
    if (need < 0) {
      throw std::invalid_argument(where + std::to_string(numel) + " elements of " + e.dtype +
                                  " do not fill whole bytes");
    }
    if (!given_sizes.empty() && static_cast<std::uint64_t>(need) != given_sizes[k]) {
      throw std::invalid_argument(where + e.dtype + " " + shape_string(e.shape) + " needs " +
                                  std::to_string(need) + " bytes, got " +
                                  std::to_string(given_sizes[k]));
    }
    out.order.push_back(k);
    out.sizes.push_back(static_cast<std::uint64_t>(need));
  }
  // The reference writer's order (Dtype enum descending, then name): larger elements first,
  // so every tensor starts aligned to its element size, and the bytes match Python's.
  std::sort(out.order.begin(), out.order.end(), [&](std::size_t a, std::size_t b) {
    const std::size_t ra = dtype_rank(slots[a].dtype), rb = dtype_rank(slots[b].dtype);
    return ra != rb ? ra > rb : slots[a].name < slots[b].name;
  });

  out.offsets.resize(slots.size());
  std::string& h = out.header;
  try {
    h = "{";
    if (!metadata.empty()) h += "\"__metadata__\":" + json(metadata).dump();
    std::uint64_t offset = 0;
    for (const std::size_t k : out.order) {
      const SafetensorsSlot& e = slots[k];
      const std::uint64_t end = offset + out.sizes[k];
      if (h.size() > 1) h += ",";
      h += json(e.name).dump() + ":{\"dtype\":" + json(e.dtype).dump() +
           ",\"shape\":" + json(e.shape).dump() + ",\"data_offsets\":[" + std::to_string(offset) +
           "," + std::to_string(end) + "]}";
      out.offsets[k] = offset;
      offset = end;
    }
    h += "}";
  } catch (const json::exception& ex) {  // strings that are not valid UTF-8
    throw std::invalid_argument(std::string("safetensors header: ") + ex.what());
  }
  h.append((8 - h.size() % 8) % 8, ' ');
  if (h.size() > kMaxHeaderBytes) {
    throw std::invalid_argument("safetensors header of " + std::to_string(h.size()) +
                                " bytes is over the 100 MB that readers accept");
  }
  return out;
}

std::array<std::uint8_t, 8> le64(std::uint64_t v) {
  std::array<std::uint8_t, 8> b{};
  for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return b;
}

// The entries' names, dtypes and shapes, and their byte counts.
std::vector<SafetensorsSlot> slots_of(std::span<const SafetensorsEntry> entries,
                                      std::vector<std::uint64_t>& sizes) {
  std::vector<SafetensorsSlot> slots;
  slots.reserve(entries.size());
  for (const SafetensorsEntry& e : entries) {
    slots.push_back({e.name, e.dtype, e.shape});
    sizes.push_back(e.bytes.size());
  }
  return slots;
}

}  // namespace

SafetensorsEntry safetensors_entry(std::string name, const TensorView& view) {
  const auto n = static_cast<std::size_t>(view.numel()) * dtype_size(view.dtype());
  return {std::move(name),
          dtype_name(view.dtype()),
          view.shape(),
          {static_cast<const std::uint8_t*>(view.data()), n}};
}

std::vector<std::uint8_t> serialize_safetensors(
    std::span<const SafetensorsEntry> entries, const std::map<std::string, std::string>& metadata) {
  std::vector<std::uint64_t> sizes;
  const std::vector<SafetensorsSlot> slots = slots_of(entries, sizes);
  const HeaderPlan l = plan_header(slots, metadata, sizes);
  std::size_t total = 8 + l.header.size();
  for (const std::uint64_t s : l.sizes) total += s;
  std::vector<std::uint8_t> out(total);
  const auto len = le64(l.header.size());
  std::memcpy(out.data(), len.data(), 8);
  std::memcpy(out.data() + 8, l.header.data(), l.header.size());
  std::size_t at = 8 + l.header.size();
  for (const std::size_t k : l.order) {
    const std::span<const std::uint8_t> b = entries[k].bytes;
    if (!b.empty()) std::memcpy(out.data() + at, b.data(), b.size());
    at += b.size();
  }
  return out;
}

void write_safetensors(const std::string& path, std::span<const SafetensorsEntry> entries,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<std::uint64_t> sizes;
  const std::vector<SafetensorsSlot> slots = slots_of(entries, sizes);
  plan_header(slots, metadata, sizes);  // the byte counts, checked before the disk is touched
  SafetensorsStreamWriter file(path, slots, metadata);
  for (const SafetensorsEntry& e : entries) file.write(e.name, e.bytes);
  file.commit();
}

SafetensorsStreamWriter::SafetensorsStreamWriter(
    const std::string& path, std::span<const SafetensorsSlot> slots,
    const std::map<std::string, std::string>& metadata) {
  const HeaderPlan l = plan_header(slots, metadata);
  for (std::size_t k = 0; k < slots.size(); ++k)
    ranges_[slots[k].name] = Range{l.offsets[k], l.sizes[k], 0};
  file_ = std::make_unique<AtomicFile>(path);
  file_->write(le64(l.header.size()));
  file_->write(l.header);
  data_start_ = 8 + l.header.size();
  fd_ = ::open(file_->temp_path().c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) throw IoError(io_error_message(file_->temp_path(), "cannot open", errno));
}

SafetensorsStreamWriter::~SafetensorsStreamWriter() {
  if (fd_ >= 0) ::close(fd_);
}  // file_ removes the temporary unless committed

void SafetensorsStreamWriter::write(std::string_view name, std::span<const std::uint8_t> bytes,
                                    std::uint64_t at) {
  const auto it = ranges_.find(name);
  if (it == ranges_.end() || at + bytes.size() > it->second.size) {
    throw std::logic_error("write to entry '" + std::string(name) + "' out of its bounds");
  }
  std::uint64_t off = data_start_ + it->second.offset + at;
  const std::uint8_t* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw IoError(io_error_message(file_->temp_path(), "cannot write", n < 0 ? errno : EIO));
    }
    p += n;
    off += static_cast<std::uint64_t>(n);
    left -= static_cast<std::size_t>(n);
  }
  it->second.written += bytes.size();
}

void SafetensorsStreamWriter::commit() {
  for (const auto& [name, r] : ranges_) {
    if (r.written != r.size) {
      throw std::logic_error("entry '" + name + "': " + std::to_string(r.written) + " of " +
                             std::to_string(r.size) + " bytes written");
    }
  }
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) throw IoError(io_error_message(file_->temp_path(), "cannot close", errno));
  file_->commit();  // fsyncs the inode (whichever descriptor wrote it), renames, fsyncs the folder
}

}  // namespace fp4lab::core
