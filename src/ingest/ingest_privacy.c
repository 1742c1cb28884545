/* ingest_privacy.c -- recognising personal data in what sensors send.
 *
 * citybrain's inputs are aggregate by design (docs/privacy.md): a count per
 * lane, an occupancy, a mean speed, a concentration.  The closed schema
 * already refuses every member it does not list, but a sender whose
 * "licensePlate" is refused as an "unknown field" would rename it and try
 * again.  So members that denote personal data are recognised first and
 * refused with CB_EPRIVACY and a message saying citybrain does not accept
 * personal data, and string values are scanned for identifiers that need no
 * member name to be personal (a MAC address, an IMSI, a phone number).
 *
 * Matching is on a normalised name: lower case, without '_', '-', '.' and
 * without an expanded NGSI-LD prefix ("https://schema.org/name" -> "name").
 * The lists err on the side of refusing: a false refusal costs a sender one
 * renamed member; a false acceptance would put a person in the database. */
#include "ingest.h"

#include <ctype.h>
#include <string.h>

typedef struct privacy_rule {
    const char *pattern;      /* normalised */
    enum { P_SUB, P_EXACT, P_PREFIX, P_SUFFIX } how;
    const char *reason;
} privacy_rule;

#define VEH "an identifier of a vehicle"
#define PER "an identifier of a person"
#define DEV "an identifier of a personal device"
#define TRJ "a trajectory of an individual vehicle or person"
#define IMG "an image or biometric of a person"

static const privacy_rule rules[] = {
    /* vehicles */
    { "plate", P_SUB, VEH " (licence plate)" },
    { "licence", P_SUB, VEH " (licence)" },
    { "license", P_SUB, VEH " (licence)" },
    { "anpr", P_SUB, VEH " (plate recognition)" },
    { "alpr", P_SUB, VEH " (plate recognition)" },
    { "registration", P_SUB, VEH " (registration)" },
    { "vin", P_EXACT, VEH " (VIN)" },
    { "vehicleidentif", P_SUB, VEH " (VIN)" },
    { "vehicleid", P_SUB, VEH },
    { "refvehicle", P_SUB, VEH },
    { "vehicle", P_EXACT, VEH },
    { "vehicles", P_EXACT, VEH },
    { "transponder", P_SUB, VEH " (toll tag)" },
    { "tolltag", P_SUB, VEH " (toll tag)" },
    { "rfid", P_SUB, VEH " (RFID tag)" },
    { "obu", P_EXACT, VEH " (on-board unit)" },
    /* images and biometrics */
    { "face", P_SUB, IMG " (face)" },
    { "biometric", P_SUB, IMG },
    { "fingerprint", P_SUB, IMG },
    { "iris", P_SUB, IMG },
    { "gait", P_SUB, IMG },
    { "image", P_SUB, IMG " (image)" },
    { "photo", P_SUB, IMG " (photo)" },
    { "picture", P_SUB, IMG " (picture)" },
    { "snapshot", P_SUB, IMG " (image)" },
    { "thumbnail", P_SUB, IMG " (image)" },
    { "video", P_SUB, IMG " (video)" },
    { "frame", P_SUB, IMG " (video frame)" },
    /* people */
    { "person", P_SUB, PER },
    { "driver", P_SUB, PER " (driver)" },
    { "passenger", P_SUB, PER " (passenger)" },
    { "pedestrianid", P_SUB, PER },
    { "citizen", P_SUB, PER },
    { "user", P_SUB, PER " (user)" },
    { "customer", P_SUB, PER },
    { "occupant", P_SUB, PER },
    { "owner", P_SUB, PER " (owner)" },
    { "name", P_SUFFIX, PER " (name)" },
    { "surname", P_SUB, PER " (name)" },
    { "birth", P_SUB, PER " (date of birth)" },
    { "gender", P_SUB, PER " (gender)" },
    { "ethnic", P_SUB, PER " (ethnicity)" },
    { "email", P_SUB, PER " (e-mail address)" },
    { "address", P_SUFFIX, PER " (address)" },
    /* identity documents and cards */
    { "idcard", P_SUB, PER " (ID-card number)" },
    { "identity", P_SUB, PER " (identity document)" },
    { "passport", P_SUB, PER " (passport number)" },
    { "nationalid", P_SUB, PER " (national ID number)" },
    { "ssn", P_EXACT, PER " (social security number)" },
    { "socialsecurity", P_SUB, PER " (social security number)" },
    { "taxid", P_SUB, PER " (tax number)" },
    { "card", P_SUB, PER " (card number)" },
    { "ticket", P_SUB, PER " (ticket number)" },
    /* phones and personal devices */
    { "phone", P_SUB, DEV " (phone number)" },
    { "msisdn", P_SUB, DEV " (phone number)" },
    { "mobile", P_SUB, DEV " (mobile phone)" },
    { "imsi", P_SUB, DEV " (IMSI)" },
    { "imei", P_SUB, DEV " (IMEI)" },
    { "tmsi", P_SUB, DEV " (TMSI)" },
    { "iccid", P_SUB, DEV " (SIM number)" },
    { "sim", P_EXACT, DEV " (SIM number)" },
    { "cellid", P_SUB, DEV " (mobile cell)" },
    { "mac", P_PREFIX, DEV " (MAC address)" },
    { "macaddr", P_SUB, DEV " (MAC address)" },
    { "bluetooth", P_SUB, DEV " (Bluetooth address)" },
    { "bdaddr", P_SUB, DEV " (Bluetooth address)" },
    { "wifi", P_SUB, DEV " (Wi-Fi address)" },
    { "ssid", P_SUB, DEV " (Wi-Fi network)" },
    { "device", P_SUB, DEV " (device number)" },
    { "serialnumber", P_SUB, DEV " (serial number)" },
    { "udid", P_SUB, DEV },
    { "advertisingid", P_SUB, DEV },
    { "idfa", P_SUB, DEV },
    { "ip", P_EXACT, DEV " (IP address)" },
    { "ipaddr", P_SUB, DEV " (IP address)" },
    /* trajectories */
    { "trajector", P_SUB, TRJ },
    { "track", P_SUB, TRJ },
    { "trace", P_SUB, TRJ },
    { "trip", P_SUB, TRJ },
    { "route", P_SUB, TRJ },
    { "path", P_SUB, TRJ },
    { "itinerar", P_SUB, TRJ },
    { "waypoint", P_SUB, TRJ },
    { "breadcrumb", P_SUB, TRJ },
    { "gpx", P_SUB, TRJ },
    { "positions", P_SUB, TRJ },
    { "locationhistory", P_SUB, TRJ },
    { "origin", P_SUB, TRJ " (origin)" },
    { "destination", P_SUB, TRJ " (destination)" },
};

/* Lower case without separators and without an expanded-IRI prefix. */
static void normalise(const char *key, char *out, size_t cap)
{
    const char *s = key;
    for (const char *p = key; *p; p++)
        if (*p == '/' || *p == '#') s = p + 1;
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '_' || c == '-' || c == '.' || c == ' ' || c == ':') continue;
        out[n++] = (char)tolower(c);
    }
    out[n] = '\0';
}

const char *cbi_privacy_key(const char *key)
{
    char k[128];
    normalise(key, k, sizeof k);
    size_t kn = strlen(k);
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const privacy_rule *r = &rules[i];
        size_t pn = strlen(r->pattern);
        bool hit = false;
        switch (r->how) {
        case P_SUB: hit = strstr(k, r->pattern) != NULL; break;
        case P_EXACT: hit = strcmp(k, r->pattern) == 0; break;
        case P_PREFIX: hit = strncmp(k, r->pattern, pn) == 0; break;
        case P_SUFFIX: hit = kn >= pn && strcmp(k + kn - pn, r->pattern) == 0; break;
        }
        if (hit) return r->reason;
    }
    return NULL;
}

/* "aa:bb:cc:dd:ee:ff" or "aa-bb-..." anywhere in s. */
static bool has_mac(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + 17 <= n; i++) {
        bool ok = true;
        char sep = s[i + 2];
        if (sep != ':' && sep != '-') continue;
        for (int g = 0; g < 6 && ok; g++) {
            const char *p = s + i + g * 3;
            ok = isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]) && (g == 5 || p[2] == sep);
        }
        if (ok) return true;
    }
    return false;
}

/* The longest run of digits, allowing single spaces, '-', '.', '/' and a
 * leading '+' between them ("+49 151 2345-6789" is 13 digits). */
static int longest_digit_run(const char *s)
{
    int best = 0, run = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            run++;
            if (run > best) best = run;
        } else if ((*p == ' ' || *p == '-' || *p == '.' || *p == '/') && run > 0 && isdigit((unsigned char)p[1])) {
            /* a separator inside a number */
        } else {
            run = 0;
        }
    }
    return best;
}

static bool has_email(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at > s && strchr(at, '.') != NULL;
}

/* Words that make a free-text value personal whatever member carries it. */
static const char *const value_words[] = { "plate", "licence", "license", "imsi", "imei", "passport",
                                           "phone", "face", "person", "driver" };

const char *cbi_privacy_value(const char *s, bool free_text)
{
    if (has_mac(s)) return DEV " (MAC address)";
    if (has_email(s)) return PER " (e-mail address)";
    /* 9+ digits: phone, IMSI (15), IMEI (15), card or ID numbers.  Only in
     * free text: entity ids legitimately end in epoch times or counters. */
    if (free_text && longest_digit_run(s) >= 9)
        return PER " (a long number: phone, IMSI, IMEI, card or ID number)";
    char low[256];
    size_t n = 0;
    for (const char *p = s; *p && n + 1 < sizeof low; p++) low[n++] = (char)tolower((unsigned char)*p);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof value_words / sizeof value_words[0]; i++)
        if (strstr(low, value_words[i])) return "a reference to personal data";
    return NULL;
}
