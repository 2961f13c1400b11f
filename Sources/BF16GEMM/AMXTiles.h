// Shared by the AMX kernels (private to this target): their target attribute and tile configuration.
#ifndef AMXTILES_H
#define AMXTILES_H

#include <stdint.h>
#include <string.h>

#define AMX_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16,amx-tile,amx-bf16,prfchw")))

/// The 64-byte operand of ldtilecfg (palette 1): bytes a row and rows of tiles 0–15.
typedef struct { uint8_t palette, startRow, reserved[14]; uint16_t bytesPerRow[16]; uint8_t rows[16]; } TileConfig;

/// Palette 1 with tiles 0–7 all 16 rows × 64 bytes (a kernel may then reshape some before loading it).
static inline TileConfig fullTiles(void) {
    TileConfig config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) { config.bytesPerRow[t] = 64; config.rows[t] = 16; }
    return config;
}

#endif
