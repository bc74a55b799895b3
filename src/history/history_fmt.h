/* What the history writer and reader share: the record framing, CRC-32C,
 * varints, segment names (docs/history-format.md). Pure, no I/O; included by
 * history_write.c, history_read.c and the tests, no one else. */
#ifndef CGKIT_HISTORY_FMT_H
#define CGKIT_HISTORY_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define HIST_MAGIC "CGKITHST"
#define HIST_MAGIC_LEN 8
/* Bumped only for a change an old reader cannot skip over (new record kinds,
 * new header tags and new value bits can be skipped and do not bump it). */
#define HIST_VERSION 1
#define HIST_SUFFIX ".cgh"
/* "YYYYMMDD-HH.cgh" */
#define HIST_NAME_LEN 15

/* [u32 len][u32 crc][u64 time_us][u16 kind][payload]: len counts the bytes
 * after the crc (time, kind, payload); the crc is CRC-32C of those bytes. */
#define HIST_REC_HEAD 18
#define HIST_REC_MIN 10              /* len of a record with no payload */
#define HIST_REC_MAX (64u << 20)     /* longer: not a record (a torn or bad length) */

enum hist_kind {
	HIST_K_HEADER = 1,
	HIST_K_PATHS = 2,
	HIST_K_SAMPLE = 3,
	HIST_K_EVENT = 4,
};

/* Header tags (after the magic and the u16 version): [varint tag][varint len][bytes]. */
enum hist_tag {
	HIST_T_BOOT_ID = 1,     /* text */
	HIST_T_INTERVAL = 2,    /* varint, microseconds */
	HIST_T_HOST = 3,        /* text */
};

uint32_t hist_crc32c(uint32_t crc, const void *buf, size_t len);

static inline void hist_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void hist_put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void hist_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t hist_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t hist_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t hist_get_u64(const uint8_t *p)
{
	return (uint64_t)hist_get_u32(p) | (uint64_t)hist_get_u32(p + 4) << 32;
}

static inline uint64_t hist_zigzag(uint64_t delta)
{
	return (delta << 1) ^ (0 - (delta >> 63));
}
static inline uint64_t hist_unzigzag(uint64_t z)
{
	return (z >> 1) ^ (0 - (z & 1));
}

/* Writes v as LEB128 at p (room for 10 bytes); returns the bytes used. */
size_t hist_put_varint(uint8_t *p, uint64_t v);
/* Reads a varint from [*p, end): false when it runs past end or over 10 bytes. */
bool hist_get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v);

/* The record at buf[off], of a segment of len bytes: returns its total size
 * (18 + payload) and fills time, kind and payload, or 0 when the record is
 * torn (runs past len) or bad (length out of range, CRC). */
size_t hist_record_at(const uint8_t *buf, size_t len, size_t off, uint64_t *time_us,
		      uint16_t *kind, const uint8_t **payload, size_t *plen);

/* "YYYYMMDD-HH.cgh" of the hour (UTC) holding t; name has HIST_NAME_LEN + 1 bytes. */
void hist_segment_name(uint64_t time_us, char *name);
/* The start of a segment's hour from its name; false when not a segment name. */
bool hist_segment_time(const char *name, uint64_t *start_us);

#define HIST_HOUR_US (3600ull * 1000000ull)

#endif
