/* The history format's pure parts (history_fmt.h). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "history_fmt.h"

/* CRC-32C (Castagnoli, reflected 0x82F63B78), slicing by 8. */
static uint32_t crc_tab[8][256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc_tab[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_tab[t][i] = (crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xff];
}

uint32_t hist_crc32c(uint32_t crc, const void *buf, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const uint8_t *p = buf;

	pthread_once(&once, crc_init);
	crc = ~crc;
	while (len >= 8) {
		uint32_t lo = crc ^ hist_get_u32(p), hi = hist_get_u32(p + 4);
		crc = crc_tab[7][lo & 0xff] ^ crc_tab[6][(lo >> 8) & 0xff] ^
		      crc_tab[5][(lo >> 16) & 0xff] ^ crc_tab[4][lo >> 24] ^
		      crc_tab[3][hi & 0xff] ^ crc_tab[2][(hi >> 8) & 0xff] ^
		      crc_tab[1][(hi >> 16) & 0xff] ^ crc_tab[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc_tab[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

size_t hist_put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

bool hist_get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	const uint8_t *q = *p;
	uint64_t r = 0;

	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (q >= end)
			return false;
		uint8_t b = *q++;
		if (shift == 63 && b > 1)
			return false;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*p = q;
			*v = r;
			return true;
		}
	}
	return false;
}

size_t hist_record_at(const uint8_t *buf, size_t len, size_t off, uint64_t *time_us,
		      uint16_t *kind, const uint8_t **payload, size_t *plen)
{
	if (off > len || len - off < HIST_REC_HEAD)
		return 0;
	const uint8_t *r = buf + off;
	uint32_t rlen = hist_get_u32(r);
	if (rlen < HIST_REC_MIN || rlen > HIST_REC_MAX || rlen > len - off - 8)
		return 0;
	if (hist_crc32c(0, r + 8, rlen) != hist_get_u32(r + 4))
		return 0;
	*time_us = hist_get_u64(r + 8);
	*kind = hist_get_u16(r + 16);
	*payload = r + HIST_REC_HEAD;
	*plen = rlen - HIST_REC_MIN;
	return (size_t)rlen + 8;
}

void hist_segment_name(uint64_t time_us, char *name)
{
	time_t t = (time_t)(time_us / 1000000);
	struct tm tm;
	char tmp[64];

	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(tmp, sizeof(tmp), "%04d%02d%02d-%02d" HIST_SUFFIX, (tm.tm_year + 1900) % 10000,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
	memcpy(name, tmp, HIST_NAME_LEN);
	name[HIST_NAME_LEN] = 0;
}

bool hist_segment_time(const char *name, uint64_t *start_us)
{
	struct tm tm = {0};

	if (strlen(name) != HIST_NAME_LEN || strcmp(name + 11, HIST_SUFFIX) != 0 || name[8] != '-')
		return false;
	for (int i = 0; i < 11; i++)
		if (i != 8 && (name[i] < '0' || name[i] > '9'))
			return false;
	tm.tm_year = (name[0] - '0') * 1000 + (name[1] - '0') * 100 + (name[2] - '0') * 10 +
		     (name[3] - '0') - 1900;
	tm.tm_mon = (name[4] - '0') * 10 + (name[5] - '0') - 1;
	tm.tm_mday = (name[6] - '0') * 10 + (name[7] - '0');
	tm.tm_hour = (name[9] - '0') * 10 + (name[10] - '0');
	if (tm.tm_year < 70 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23)
		return false;
	time_t t = timegm(&tm);
	if (t < 0)
		return false;
	*start_us = (uint64_t)t * 1000000;
	return true;
}
