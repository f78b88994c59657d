"""Pick the article body out of a page's paragraphs (pure; language-light heuristics).

Each paragraph gets a score: prose (long, with sentence punctuation) counts for its length,
menu items, credits and widget lines count against. The body is the run of paragraphs with
the highest total (a maximum-sum segment), so a few junk lines inside an article are
crossed but a wall of related links, comments or footers is not.
"""

from __future__ import annotations

import re
import unicodedata

from digest.characters import SENTENCE_STOPS

from .blocks import Para
from .dates import find_date

# Lines that belong to the page around the article, in any position.
JUNK = re.compile(
    r"^(advertisements?(\s*\d{1,2})?|anzeige|publicité|sponsored( content)?|ad$|"
    # the same words, and share, print and e-mail buttons, in other languages
    r"publicidad|publicidade|pubblicità|advertentie|iklan|реклама|reklama|werbung|"
    r"compartir|partager|teilen|condividi|compartilhar|partilhar|bagikan|поделиться|udostępnij|delen|"
    r"drucken|imprimir|imprimer|stampa|afdrukken|cetak|печать|drukuj|"
    r"\[?ins::ins\]?|share( this( article| story| post)?)?( on| via| with) \w+|share( this( article| story)?)?|"
    r"tweet|print( this article)?|"
    r"email|e-mail|facebook|twitter|linkedin|pinterest|reddit|whatsapp|copy (the )?link|"
    r"close|menu|search|subscribe|sign in|log ?in|register|skip to (main )?content|"
    r"read more|continue reading|see more|show more|load more|view (comments|gallery)|explore further|"
    r".*\b(see|view) (the )?full gallery|"
    r"(photo|image|picture|video|credit|source|foto|bild|quelle|bildrechte|bildquelle)s?\s*[:|©].*|"
    # the same credit labels in other languages: "Fotoğraf : Jane Doe/AA", "Imagen: ...", "Фото: ..."
    r"(fotoğraf|imagen|imagem|immagine|фото|ljósmynd|zdjęcie|kuva|bilde|billede|afbeelding|créditos?)\s*[:|©].*|"
    r".*\bgetty images\b.*|"
    r"©.*|copyright\b.*|.*\ball rights reserved\b.*|"
    r"(image|photo) \d+ of \d+|\d+\s*/\s*\d+|back to gallery|"
    r".*\b(sign up|subscribe|newsletter|cookies?)\b.*|"
    r"(reply|like|report)(\(\d+\))?|\d+|[\W_]+|"
    r"\d+ ?(comments?|shares?|views?)|comments?( / \d+)?|"
    r"(follow|like) us( on .*)?|.*@\w+$|https?://\S+|www\.\S+|"
    r".*\bunsubscribe\b.*|(\S+\.(jpe?g|png|gif|webp))+|.*\b(submitted|courtesy|staff|handout) (photo|image)s?|"
    r"(citation|cite this (page|article))\s*:.*|"
    # a blog's share buttons: "Click to share on Facebook (Opens in new window)", "Klick, um auf X zu teilen"
    r"(click|klick|klicken)\b.{0,30}\b(share|teilen|e-?mail|print|drucken)\b.*|"
    r".*\((opens|wird) in (a )?(new|neuem) (window|tab|fenster)( geöffnet)?\)|"
    r"follow (\S+ ){1,3}on (twitter|facebook|instagram|youtube|linkedin|tiktok)\b.*|"
    # the writer's bio under the article: "... is out now. Follow him on Twitter @jane."
    r".*\bfollow (him|her|them|me|us) on (twitter|facebook|instagram|youtube|linkedin|tiktok|x|threads|bluesky)\b.*|"
    # a WordPress shortcode the page never rendered: "[button link=...] Send us your review[/button]"
    r".*\[(\w+)\b[^\]]*\].*\[/\w+\].*|"
    # a citation line: "... (2019, November 20) retrieved 20 November 2019 from https://..."
    r".*\bretrieved \d{1,2} \w+ \d{4} from https?://\S+|"
    # an app's promotion: "Die Tagesspiegel-App ... Hier gratis herunterladen.", "Kostenlos herunterladen",
    # "Download the app"; a video player's label: "watch now", "VIDEO4:4204:42"
    r".{0,150}(apps?|app-\w+|\w+-app).{0,150}(download|herunterladen|installieren|télécharger|"
    r"descargar|baixar|scaricare|scarica).{0,40}|"
    r"(jetzt |hier )?(kostenlos |gratis )?(herunterladen|download( now)?|get the app)|"
    r"watch( now| live)?|video\s*\d{1,2}:\d\d.*|"
    # the video.js player's own message where scripts do not run, on any site that uses it; the like from
    # other widgets ("Please enable JavaScript to view the comments ..."), a notice about the reader's browser,
    # and a call to report a mistake ("Fehler gefunden? Jetzt melden.")
    r"to view this video please enable javascript\b.*|(please|you (need|have|must)( to)?) enable javascript\b.{0,120}|"
    r"(thank you for visiting \S+ )?you are using a browser version with limited support\b.*|"
    r"(fehler gefunden|(found|spotted|see) an? (error|mistake|typo))\s*\?.{0,40}|"
    # a prompt to log in ("Enjoying our latest content? Log in or create an account to continue")
    r"([^.!?]{0,60}\?\s*)?(please )?(log ?in|sign in|create an account)\b.{0,30}\bto (continue|comment|keep reading)"
    r"\b.{0,60}|"
    # a caption closed by its picture's credit: "Alex Lowes in Barcelona, Foto: LAT Images"
    r"(?=.{0,250}$).*[,;.–—-]\s*(photo|foto|bild|photograph|credit|crédit|quelle|fotos|photos)\s*:\s*(\S+\s*){1,6}|"
    # a picture's alt text as a blog platform writes it: "Illustration for article titled ..."
    r"(illustration|image|photo|picture) for (the )?article titled\b.*|"
    # a reading time ("3 Min.", "1 min", "4 min read"), a permalink, a picture's rights ("Rechte: ...", as
    # "Bildrechte:"), the controls and links around an article ("Keep Reading", "Submit a correction",
    # "Reprints & permissions", "Ad Policy", "Enter your email address", "Bildbeschreibung einblenden")
    r"\d{1,2} ?min\.?( read| lesezeit| de lecture| de lectura)?|(permalink|short ?link|kurzlink)\s*:\s*\S+|"
    # the same in other word orders ("3 Minuten Lesezeit", "Lesedauer: 4 Minuten"), and a share widget's
    # copy button ("... Copy to clipboard Link kopiert!")
    r"\d{1,2} ?(minuten|minutes|minutos|minuti|min\.?) ?(lesezeit|lesedauer|read|reading|de lecture|de lectura|"
    r"di lettura)|(lesedauer|lesezeit|reading time|temps de lecture|tiempo de lectura)\s*:?\s*\d{1,2} ?\w*|"
    r".{0,120}\b(copy to clipboard|link kopiert|link copied|lien copié)\b.{0,30}|"
    r"rechte\s*:.*|keep reading|submit a correction\b.*|reprints( &| and) permissions|ad policy|"
    r"enter your e-?mail( address)?|bildbeschreibung (einblenden|ausblenden)|"
    # "Visit Business Insider's homepage for more stories."
    r"(visit|go to|head to|check out) .{0,60}\bfor more (stories|news|articles|coverage)\b.{0,20}|"
    # a one-line link to another story between the paragraphs: "Related: ...", "Also: ..."
    r"(related|read (more|also|next)|see also|also read|also|more|baca juga|leia também|veja também|"
    r"lee también|lea también|lire aussi|à lire aussi|leggi anche|lees ook|lesen sie auch|mehr zum thema|"
    r"читайте также|czytaj (też|także)|zobacz (też|także))\s*:\s*\S.{0,150})$",
    re.IGNORECASE,
)

# Headings that start what comes after an article: a body never runs across them.
BOUNDARY = re.compile(
    r"^(related( stories| articles| posts| coverage| content| reading| news| links| topics)?|"
    r"more (from|on|stories|in|news|about)\b.*|read (next|more|also)\b.*|see also|"
    r"you (may|might) (also )?(like|enjoy|be interested).*|recommended( for you)?|"
    r"(most )?popular( now| right now| stories| posts| articles)?|most (read|viewed|shared)|"
    r"trending( now| stories)?|top stories|latest (news|stories|posts|articles)|"
    r"(\d+ )?comments?( / \d+)?|\d+ (responses?|comments?|replies|thoughts) (to|on)\b.*|"
    r"leave a (comment|reply)|post a comment|add a comment|"
    # the same comment forms as blog platforms and news sites head them in other languages ("Deja una respuesta",
    # "Enviá tu comentario", "Schreibe einen Kommentar", "Laisser un commentaire", "Lascia un commento")
    r"(deja|dejá|envía|enviá|escribe|escribí|deixe|deixa|envie|escreva|laissez|laisser|écrire|ajouter|lascia|"
    r"scrivi|schreibe|schreiben sie|hinterlasse|laat|plaats)( \w+)? (un |una |um |uma |einen |een )?"
    r"(comentarios?|comentários?|commentaires?|commento|kommentar|reactie|respuesta|resposta|réponse|risposta|"
    r"antwort)|"
    # a tag line ("Tags", "Tags: ...", "tags #Nifty #Sensex", "Tag: Politik"), not any line that opens with those
    # letters ("Tagesgeld, Festgeld, Anleihen", "Tages-Anzeiger", "Tag der Arbeit")
    r"join the (conversation|discussion)|about the author|about us|tags(\b.*)?|tag\s*:.*|"
    r"filed under:?.*|topics:?|share this( article| story| post)?:?|"
    r"(previous|next) (article|post|story)|community policy|editor'?s picks?|"
    r"weitere beiträge.*|ähnliche artikel|lesen sie auch|mehr zum thema|artigos relacionados|"
    # "Read more ..." as German pages head it ("Lesen Sie hier mehr aus der Finanzwelt", "Lesen Sie dazu auch")
    r"lesen sie (\w+ ){0,2}(auch|mehr)\b.*|"
    r"noticias relacionadas|articles similaires|à lire aussi|lire aussi|sur le même sujet|"
    r"leia também|veja também|notícias relacionadas|lee también|te puede interesar|"
    r"articoli correlati|leggi anche|lees ook|gerelateerde artikelen|baca juga|berita terkait|"
    r"читайте также|похожие статьи|комментарии|czytaj (też|także)|zobacz (też|także)|"
    r"in this article|around the web|from the web|promoted( stories| links)?|"
    r"sponsored (stories|links)|we recommend|what to read next|"
    r"popular right now|more stories|latest videos?|watch next|more|no comments( yet)?\b.*|"
    r"(our )?sources|references|bibliography|further reading|about this (statement|article|story|report)|"
    # "you may also like", "most read", "more on this" as pages in other languages write them
    r"das könnte (sie|dich) auch interessieren|(auch|ebenfalls) interessant|weitere artikel|meistgelesen|"
    r"meistgelesene artikel|mehr aus (dem|der) .{1,30}|empfehlungen|top-artikel|"
    r"vous aimerez aussi|à voir aussi|les plus lus|lo más leído|también te puede interesar|"
    r"te puede interesar|mais lidas|você também pode gostar|potrebbe interessarti|più letti|"
    r"dit vind je misschien ook interessant|meest gelezen|du kanske också gillar|mest lästa|"
    r"mehr zu(m|r)? .{1,40}|(view|show|read|see) (all )?comments( \(\d+\))?|"
    # "More on <topic>" in other languages ("Más sobre Conflicto mapuche")
    r"(más sobre|mais sobre|plus sur|meer over|więcej o) .{1,40}|"
    r"über (den|die) autor(:in|in)?|à propos de l.auteur|sobre (el|o) autor|about the authors?|"
    # "the editors recommend", "on the same topic", "discover also", a comment thread's count, and
    # a tag line, as pages in other languages head them
    r"(the )?editors? recommend\w*|die redaktion empfiehlt|la rédaction (vous )?recommande|"
    r"(on|zum|sur le|sobre el) (the )?(same|selben|gleichen|même|mismo) (topic|subject|thema|sujet|tema)|"
    r"à découvrir( également| aussi)?|à la une|(\d+ )?(kommentare|commentaires|comentarios|comentários|"
    r"commenti|reacties)|(schlagworte|schlagwörter|stichworte|mots-clés|etiquetas|palabras clave)\s*:.*)$",
    re.IGNORECASE,
)

# Lines that only a comment thread has: "name says:", "2d ago", "Reply(5)", timestamps.
# ("Karl sagt:   28. April 2024 um 13:51 Uhr", "Antworten" in other languages)
_THREAD = re.compile(r"(\b(says|sagt|schreibt|dit|dice|diz|zegt):(\s+\S.{0,40})?$|\bwrote:$|"
                     r"^(reply|antworten|répondre|responder)\b|\b\d+\s*[smhdw] ago$|\bago$|"
                     r"^\w+ \d{1,2}, \d{4} at \d)", re.IGNORECASE)
# (German closes a quote with “ and ‘: „So.“; Hindi ends a sentence with । and Urdu with ۔: SENTENCE_STOPS)
_SENTENCE_END = re.compile(rf"[.!?…。！？:;\"'”’“‘)»{SENTENCE_STOPS}]$|[.!?。！？{SENTENCE_STOPS}][\"'”’“‘)»]?\s+\S")
# A word's letters with their combining marks: \w alone leaves out a vowel sign or a virama, and read "हिन्दी" as
# three words and a Bengali or Tamil sentence as two or three times as many as it has.
def _characters(first: int, end: int, categories: tuple[str, ...]) -> str:
    """Every character from `first` up to `end` whose Unicode category is one of these."""
    return "".join(ch for ch in map(chr, range(first, end)) if unicodedata.category(ch) in categories)


_COMBINING = _characters(0x300, 0x10000, ("Mn", "Mc", "Me"))
_WORD = re.compile(f"[\\w{_COMBINING}]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Thai and Lao write no space between words (a space parts phrases) and no mark at a sentence's end: a run of
# their script is counted as a word for each four of its letters (vowel and tone marks aside), and a long
# paragraph of it that ends in its script ends its last sentence.
_UNSPACED_RUN = re.compile(r"[\u0e00-\u0eff]+")
_UNSPACED_LETTER = re.compile(f"[{_characters(0xE00, 0xF00, ('Lo', 'Lm'))}]")
_UNSPACED_LETTERS_A_WORD = 4


def words(text: str) -> int:
    """Word count, with CJK characters counted as half a word each and Thai or Lao letters as a quarter (no
    spaces there)."""
    cjk = len(_CJK.findall(text))
    text = _CJK.sub(" ", text)
    unspaced = sum(max(1, round(len(_UNSPACED_LETTER.findall(run)) / _UNSPACED_LETTERS_A_WORD))
                   for run in _UNSPACED_RUN.findall(text)) if not text.isascii() else 0
    return len(_WORD.findall(_UNSPACED_RUN.sub(" ", text) if unspaced else text)) + cjk // 2 + unspaced


def ends_sentence(text: str) -> bool:
    """Whether `text` closes a sentence: a mark that ends one, or a long paragraph of Thai or Lao (no mark ends
    their sentences) that ends in their script."""
    return bool(_SENTENCE_END.search(text)) or (
        not text.isascii() and bool(_UNSPACED_RUN.search(text[-1:])) and words(text) >= 20)


# A picture credit under its caption: "Photo: Jane Doe, AP", "Photo by X", "X | Getty Images",
# "[File: Reuters]", "Courtesy of Jane Doe", a photographer and source in brackets "(Jane Doe / AP)".
# ("Image copyright ..." comes before its picture, so it is not here.)
_CREDIT_AFTER = re.compile(
    r"^\[?((photos?|fotos?|picture|pictured|bild|credit|crédito|photographs?)\s*(:|by\b)|file\s*:)|"
    r"\|\s*getty images\]?$|\(?\b(ap|afp|reuters|epa|getty) ?(photo|images)\b|"
    r"^\(?courtesy\b|^\([^()/]{2,60}/[^()]{2,40}\)$",
    re.IGNORECASE,
)


# Agency caption wording: "In this Dec. 12, 2006, file photo, ...", "This undated handout image".
_CAPTION = re.compile(r"^(in this\b.{0,60}?\b(photo|image|picture|photograph)\b|"
                      r".{0,60}?\b(file|handout) (photo|image)\b)", re.IGNORECASE)


# A caption that ends with its own credit: "... the module. Credit: ESA", "(Photo: AP)".
_CREDIT_TAIL = re.compile(r"[.!?)]\s+\((AP|AFP|Reuters|EPA|Getty Images|Getty|Shutterstock|iStock|Bloomberg|"
                          # the stock pictures' libraries ("... starting on March 12. (Unsplash)")
                          r"iStockphoto|Unsplash|Pexels|Pixabay|Alamy|Adobe Stock|Dreamstime|Depositphotos)\)$|"
                          r"[.!?)](?:\s+|(?=[A-Z]))(\(?(credit|photo|photograph|image|picture|foto|bild|bildrechte|"
                          r"bildquelle|crédit)s?\s*(:|by)\s*"
                          r"(?:[^.]|(?<=\b[A-Z])\.){1,50}\)?\.?)$|\((photo|credit|image)s?\s*:[^)]{1,50}\)$|"
                          # the credit's label glued to the caption's last word by the text browser
                          # ("... die Journalistin Ekaterina DuntzovaBild: Alexander Zemlianichenko/AP")
                          r"(?<=[a-zß-ÿ0-9])(?-i:(?:Bild|Foto|Photo|Credit|Quelle|Crédit|Image)s?):\s*[^.]{1,60}$",
                          re.IGNORECASE)


_QUOTED = re.compile(r"[\"“”]")
# A photographer and agency in capitals after a caption: "... on rodents. (STEVE DOE/SCIENCE PHOTO LIBRARY)".
_CAPS_CREDIT = re.compile(r"[.!?]\s*\(\s*[A-Z][A-Z .'’-]+/\s*[A-Z][A-Z .'’&-]+\)$")
# The same credit after a caption that is no sentence, a photographer's and an agency's names: "... von Pfizer
# (AFP / ISHARA S. KODIKARA)", "... Mach-E SUV (Carlos Osorio / AP)". The slash set apart by spaces, as credits
# write it: "(Labour/Co-op)" after a member's name ends a sentence of the article.
_CREDIT_NAME = r"[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*){0,3}"
_NAMED_CREDIT = re.compile(rf"\(\s*{_CREDIT_NAME}\s+/\s+{_CREDIT_NAME}\s*\)$")


# "Image copyright Getty Images" comes before its picture; "Image caption ..." is one.
_CREDIT_BEFORE = re.compile(r"^(image|photo|picture)\s+(copyright|source)\b", re.IGNORECASE)
_LABELLED_CAPTION = re.compile(r"^(image|photo|picture|media) caption\b|^caption\s*:|"
                               r"^bildunterschrift\b|^légende\s*:|^legenda\s*:", re.IGNORECASE)


_CREDIT_WORD = re.compile(r"\b(photo|foto|bild|image|picture|credit|quelle|source|crédit|getty|imago|dpa|"
                          r"reuters|afp|ap|epa|screenshot)\b", re.IGNORECASE)


def is_credit(para: Para) -> bool:
    return words(para.text) <= 12 and bool(_CREDIT_AFTER.search(para.text)) \
        and not _CREDIT_BEFORE.match(para.text)


def alt_and_caption(paras: list[Para], i: int) -> bool:
    """Whether paragraph i is a picture's alt text or its caption: the line next to it says the same
    words (a text browser shows both), or the same and then more (a credit, a place)."""
    def goes_on(first: str, second: str) -> bool:
        return len(first) >= 15 and second.startswith(first) and (len(second) == len(first) or
                                                                   len(second) > len(first) + 2)
    text = paras[i].text
    return (i + 1 < len(paras) and goes_on(text, paras[i + 1].text)) or (i > 0 and goes_on(paras[i - 1].text, text))


_TOKEN = re.compile(r"\w+")


def alt_and_caption_in_words(paras: list[Para], i: int) -> bool:
    """alt_and_caption, word for word: the alt text and the caption a text browser shows of one picture often
    differ in their punctuation ("tagt am Montag, 5. Januar 2026, im UN-Hauptquartier" over "tagt am Montag,
    5. Januar 2026 im UN-Hauptquartier Frank Franklin II/Copyright ..."): the line's words (five or more) open
    the next line's, or the line above's words open this one's."""
    def goes_on(first: str, second: str) -> bool:
        a, b = _TOKEN.findall(first.casefold()), _TOKEN.findall(second.casefold())
        return len(a) >= 5 and b[:len(a)] == a
    text = paras[i].text
    return (i + 1 < len(paras) and goes_on(text, paras[i + 1].text)) or (i > 0 and goes_on(paras[i - 1].text, text))


def _cut_short(first: str, second: str) -> bool:
    """Whether `first` is `second` cut short with an ellipsis (a picture's alt text over its caption)."""
    if not first.endswith(("…", "...")):
        return False
    stem = first.rstrip("….").rstrip()
    return len(stem) >= 20 and len(second) > len(stem) + 2 and second.startswith(stem)


def glued_figures(paras: list[Para]) -> set[int]:
    """A picture's alt text run into its caption with no blank line between (the text browser breaks the
    line early, then a blank line closes both): a short line of three words or more (not a file name)
    that ends without a sentence's punctuation, under it a sentence or two of at most 40 words. A
    subheading stands apart from its paragraph, and a wrapped line reaches the page's width (85
    characters and more at 100 columns)."""
    out: set[int] = set()
    for i, (alt, caption) in enumerate(zip(paras, paras[1:], strict=False)):
        after = paras[i + 2] if i + 2 < len(paras) else None
        glued = alt.gap_before and not caption.gap_before and (after is None or after.gap_before) \
            and not alt.bullet and not caption.bullet
        alt_like = len(alt.text) < 85 and 3 <= words(alt.text) <= 25 and len(alt.text.split()) >= 3 \
            and not _SENTENCE_END.search(alt.text[-1:]) and alt.text[-1] not in ",-"
        caption_like = bool(_SENTENCE_END.search(caption.text)) and words(caption.text) <= 40 \
            and caption.text[:1].isupper()
        if glued and alt_like and caption_like:
            out.update((i, i + 1))
    return out


# A caption closed by a copyright sign and its holder: "... in Liège. — © BELGA".
_SIGNED_TAIL = re.compile(r"[.!?)]\s+(?:[—–-]\s*)?©\s*[^.©]{1,50}$")


def signed_captions(paras: list[Para]) -> set[int]:
    """Captions closed by a copyright sign ("... in Liège. — © BELGA"), and the picture's alt text over
    one when the caption repeats it. For the body only: the headline's caption feature leaves them
    out (above the body the page's own headline sits among such pictures, and the model learnt
    without them)."""
    out: set[int] = set()
    for i, para in enumerate(paras):
        if not para.bullet and words(para.text) <= 60 and _SIGNED_TAIL.search(para.text[-80:]):
            out.add(i)
            if i and len(paras[i - 1].text) >= 15 and para.text.startswith(paras[i - 1].text):
                out.add(i - 1)
    return out


def said_twice(text: str) -> bool:
    """A line that opens with the same short sentence twice: a text browser's picture alt text and its
    caption ("A man at work in the hall. A man at work in the hall. Photo: ...")."""
    for end in (k for k in range(15, min(len(text), 200)) if text[k] in ".!?"):
        first = text[:end + 1]
        if words(first) <= 15 and text[end + 1:].lstrip().startswith(first):
            return True
    return False


def captions(paras: list[Para]) -> set[int]:
    """Image captions: the paragraph or two above a picture credit, or worded as one."""
    out = set()
    for i, para in enumerate(paras):
        if _CAPTION.match(para.text) or _LABELLED_CAPTION.match(para.text):
            out.add(i)
        tail = _CREDIT_TAIL.search(para.text[-80:])
        # A credit ends a caption; an agency's name in brackets only a short one without a quote,
        # since a wire story's last paragraph may end with "(AP)" too.
        if tail and (not tail.group(1) or words(para.text) <= 35 and not _QUOTED.search(para.text)) \
                or _CAPS_CREDIT.search(para.text[-100:]) \
                or words(para.text) <= 40 and not para.bullet and _NAMED_CREDIT.search(para.text[-80:]):
            out.add(i)
        if i and para.text == paras[i - 1].text and words(para.text) <= 40 and not para.bullet:
            out.update((i - 1, i))  # a picture's alt text and its caption, the same words twice
        elif i and len(paras[i - 1].text) >= 20 and para.text.startswith(paras[i - 1].text) \
                and _CREDIT_WORD.search(para.text[len(paras[i - 1].text):]) and words(para.text) <= 60:
            out.update((i - 1, i))  # the alt text, then the caption with its credit after the same words
        if said_twice(para.text):
            out.add(i)  # a picture's alt text and its caption on one line: "A man at work. A man at work."
        if is_credit(para):
            for j in (i - 1, i - 2):
                if j < 0 or paras[j].bullet or is_credit(paras[j]) or paras[j].is_image:
                    break  # right under its picture, a credit has no caption: what is above the picture is not one
                out.add(j)
    return out


def alt_over_captions(paras: list[Para]) -> set[int]:
    """A picture's alt text over its caption: the line right above a caption known by its credit (`captions`,
    `signed_captions`), run into it with no blank line between (as a text browser prints a picture's two
    texts: "A copy of a presentation slide ..." over "A snapshot of ... Photo by ..."), or one that describes
    the picture in eight words or more without ending as a sentence does ("An Indigenous woman wearing a red
    dress harvests cassava in an orchard"). An article's paragraph over a picture ends its sentence and
    stands apart. For the body only, as `reworded_captions`."""
    found = captions(paras) | signed_captions(paras)
    out: set[int] = set()
    for i in sorted(found):
        if i == 0 or i - 1 in found:
            continue
        alt = paras[i - 1]
        if alt.bullet or alt.is_image or not 3 <= words(alt.text) <= 40 or words(paras[i].text) < 5:
            continue
        glued = not paras[i].gap_before
        undone = words(alt.text) >= 8 and not _SENTENCE_END.search(alt.text[-1:]) and alt.text[-1] not in ",-"
        if glued or undone:
            out.add(i - 1)
    return out


def reworded_captions(paras: list[Para]) -> set[int]:
    """A picture's alt text and its caption saying it in other words from the same opening ("Steffen Kauert
    bei der Baustelle auf der A2." over "Steffen Kauert von der Autobahn GmbH erklärt, ... (Archivbild)"):
    both name who or what is in the picture. The two run together with no blank line between (as a text
    browser prints a picture's words), or the second is a caption (`captions`). For the body only: above
    it, a headline over its deck may open alike."""
    found = captions(paras)
    out: set[int] = set()
    for i in range(1, len(paras)):
        if (i in found or not paras[i].gap_before) and _same_opening(paras[i - 1], paras[i]):
            out.update((i - 1, i))
    return out


# A picture's control as a text browser prints its button or counter: "Open this photo in gallery:",
# "Enlarge Image", "Image 1 of 8", "View image in fullscreen", "Bild vergrößern".
PICTURE_CONTROL = re.compile(r"(open this (?:photo|image) in gallery|enlarge (?:this )?(?:image|photo)|"
                             r"view image in fullscreen|image \d+ of \d+|bild vergrößern|"
                             r"zeigt weitere informationen zum bild)\s*:?", re.IGNORECASE)


def picture_controls(paras: list[Para]) -> set[int]:
    """A picture's control and the caption printed after it (past the picture itself): on eight tuned sites
    the line after such a control is the picture's caption, or its alt text with the caption after."""
    out: set[int] = set()
    for i, para in enumerate(paras):
        if para.bullet or not PICTURE_CONTROL.fullmatch(para.text.strip()):
            continue
        out.add(i)
        j = i + 1
        while j < len(paras) and paras[j].is_image:
            j += 1
        if j < len(paras) and not paras[j].bullet and words(paras[j].text) <= 60 and not is_boundary(paras[j]):
            out.add(j)
    return out


# A chart's description as pages write it for those who cannot see it ("Trump's climate legacy. A line chart, showing
# historical emissions ...", "A bar chart with orange bars, showing ..."), and the source line under a chart.
_CHART = re.compile(r"^(?:[^.!?]{0,80}[.!?:]\s+)?(?:an? |the )?(?:[\w-]+ ){0,2}"
                    r"(?:chart|graph|diagram|map|infographic)s?\b,?\s+(?:with|showing|shows|of)\b", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^(?:sources?|quellen?|fuentes?|fontes?|data|daten|datos)\s*:\s*\S", re.IGNORECASE)


def chart_descriptions(paras: list[Para]) -> set[int]:
    """A chart's description over the chart's source line ("Source: China Statistical Yearbook"): the words a page
    gives in place of the picture, not the article's (whose prose does not name the chart it sits over)."""
    return {i for i, para in enumerate(paras[:-1])
            if not para.bullet and words(para.text) <= 100 and _CHART.match(para.text)
            and _SOURCE_LINE.match(paras[i + 1].text) and words(paras[i + 1].text) <= 15}


def _same_opening(alt: Para, caption: Para) -> bool:
    """Whether two lines open with the same two words, the first no subheading over its paragraph (a short
    line with no sentence's end over a longer one: "Steel exports" over "Steel exports fell ...")."""
    first, second = _WORD.findall(alt.text.casefold())[:2], _WORD.findall(caption.text.casefold())[:2]
    subheading = words(alt.text) <= 12 and not _SENTENCE_END.search(alt.text[-1:]) and words(caption.text) > 12
    return len(first) == 2 and first == second and not alt.bullet and not caption.bullet and not subheading \
        and words(alt.text) <= 40 and words(caption.text) <= 60


# The same calls in other languages: "Abonnez-vous ...", "Suscríbete", and German's that ends on its verb
# ("Jetzt anmelden!", "Hier gratis herunterladen.", "Jetzt Abendblatt testen"; not "Jetzt testen Forscher ...").
_OTHER_CALLS = (r"(?:^|[.!?:]\s+)(?:abonnez-vous|inscrivez-vous|suscr[ií]bete|reg[ií]strate|descarga la app)\b|"
                r"(?:^|[.!?:]\s+)(?:jetzt|hier)(?:\s+\S+){0,2}\s+(?:anmelden|abonnieren|herunterladen|registrieren|"
                r"testen)\s*[.!]?$")
# A promotion's call to act, which no article ends on: "click here" or the publisher asking to be
# followed ("... so make sure to bookmark our homepage and sign up for our newsletters") anywhere, or a
# sentence that opens with an imperative ("Subscribe to ...", "Sign up for our newsletter"); a sentence
# that only mentions subscribers or a newsletter is the article's own.
PROMO = re.compile(r"\bclick here\b|\b(?:sign up|subscribe|register) (?:for|to) our\b|"
                   r"(?:^|[.!?:]\s+)(?:subscribe|sign up|use (?:the )?(?:promo )?code|"
                   r"follow (?:us|him|her|me)|get (?:our|the) newsletter|listen (?:to (?:\S+ ){1,3}live|back))\b|"
                   # an appeal for money under the article: "Did you like this article? Then support us ..."
                   r"(?:^|[.!?:]\s+)(?:did you (?:like|enjoy) this (?:article|story)|if you (?:liked|enjoyed|value) "
                   r"(?:this|our) (?:article|story|journalism)|hat ihnen (?:dieser|der) (?:artikel|beitrag) gefallen|"
                   r"(?:please )?(?:support|donate to) (?:us|our (?:work|journalism))\b|"
                   r"(?:dann )?unterstützen sie uns\b)|" + _OTHER_CALLS,
                   re.IGNORECASE)
_CALL_TO_ACT = re.compile(_OTHER_CALLS, re.IGNORECASE)
_MENTION = re.compile(r"\b(sign up|subscribe|newsletter|cookies?)\b", re.IGNORECASE)


# An advertisement's place holder between the article's paragraphs, neither the article nor its end:
# "Story continues below", "This advertisement has not loaded yet, but your article continues below.",
# "Article content" (a label over each paragraph).
_PLACEHOLDER = re.compile(r"^(story continues (below|after (this )?advertisement)( advertisement)?|"
                          r"article continues below|this advertisement has not loaded yet.{0,60}|article content)$",
                          re.IGNORECASE)


def is_placeholder(para: Para) -> bool:
    return not para.bullet and bool(_PLACEHOLDER.match(para.text.strip()))


# A consent notice over embedded content ("Um eingebettete Inhalte anzuzeigen, ist deine widerrufliche
# Einwilligung ... erforderlich", "I agree to external content being displayed"), and a form's check box
# or field with its label as a text browser draws it ("[ ] Externen Inhalt anzeigen", "[ ]I would like to be
# emailed about offers, events and updates ... Read our privacy policy"): no article's words.
_EMBEDDED = re.compile(r"\b(extern\w* inhalt\w*|eingebettet\w* inhalt\w*|external content|embedded content|"
                       r"third[- ]party content|contenus? externes?|contenus? intégrés?)", re.IGNORECASE)
_CONSENT = re.compile(r"\b(einwilligung|einverstanden|zustimm\w*|personenbezogen\w*|anzeig\w*|angezeigt|"
                      r"consent\w*|agree|personal data|display\w*|données personnelles|afficher)\b", re.IGNORECASE)
_FORM_FIELD = re.compile(r"^\[[ _]*\]\s*\S")


def is_consent(text: str) -> bool:
    return words(text) <= 120 and bool(_EMBEDDED.search(text)) and bool(_CONSENT.search(text)) \
        or words(text) <= 40 and bool(_FORM_FIELD.match(text))


# An empty field as the text browser draws a form's input ("[                    ]Sign up", its blanks
# collapsed to one in a paragraph's text) or check box.
_TEXT_FIELD = re.compile(r"\[[ _]*\]")


def sign_up_boxes(paras: list[Para]) -> set[int]:
    """A form set among the article's paragraphs (a newsletter's sign-up box): the line with its empty text
    field, the lines that are no prose right above it (the box's name and pitch: "Sign up to ...", "Free
    weekly newsletter"), and what its block says under the field with no blank line between (the notice
    under the button: "Privacy Notice: Newsletters may contain ...")."""
    out: set[int] = set()
    for i, para in enumerate(paras):
        if not _TEXT_FIELD.search(para.text) or words(para.text) > 40:
            continue
        out.add(i)
        k = i - 1
        while k >= 0 and not is_prose(paras[k]) and not paras[k].is_image and i - k <= 6:
            out.add(k)
            k -= 1
        k = i + 1
        while k < len(paras) and not paras[k].gap_before and words(paras[k].text) <= 60:
            out.add(k)
            k += 1
    return out

# A picture's or an icon's alt text that the text browser runs into the words after it ("[logo]ADVERTISEMENT",
# "[ico] Email"): the words alone decide.
_MARKS = re.compile(r"^(?:\[[^\[\]]{1,80}\]\s*)+(?=\S)")


# A notice to the reader as a subscriber: "Sie sind bereits Abonnent?", "Esta funcionalidad es sólo para
# suscriptores", and one about what a subscriber may read ("If you are a Home delivery print subscriber, online
# access is included ...", "Als abonnee lees je ook alle plusartikels"; "If you are a subscriber, the price
# rises in May" is an article's).
_SUBSCRIBER = re.compile(
    r"\b(subscriber|abonnee|abonnent|abonné|suscriptor)e?s?\s*\?|"
    r"\b(only|exclusive|nur|sólo|solo|exclusiva|réservée?|kun)\b.{0,20}\b(for|para|für|aux|til)\b.{0,10}"
    r"\b(subscribers|suscriptores|abonnenten|abonnés|abonnenter)\b", re.IGNORECASE)
_AS_SUBSCRIBER = re.compile(
    r"\b(if you are|are you|you are|you're|already|als|bereits|schon|allerede|vous êtes|déjà|nog geen|noch kein\w*|"
    r"ya eres|já é)\b.{0,40}\b(subscriber|abonnee|abonnent\w*|abonné\w*|suscriptor\w*|assinante)s?\b", re.IGNORECASE)
_READING = re.compile(r"\b(access|zugang|accès|acceso|log ?in|sign in|inloggen|einloggen|anmelden|lees|lesen|read|"
                      r"\w*artikel\w*|articles?|premium|e-?paper|\w*apps?)\b", re.IGNORECASE)


def is_junk(para: Para) -> bool:
    if para.is_image:
        return True
    if is_consent(para.text) or words(para.text) <= 30 and _CALL_TO_ACT.search(para.text):
        return True  # a consent notice, a call to subscribe or sign up ("Jetzt anmelden!")
    if words(para.text) <= 40 and (_SUBSCRIBER.search(para.text)
                                   or _AS_SUBSCRIBER.search(para.text) and _READING.search(para.text)):
        return True  # a notice to the reader as a subscriber
    marks = _MARKS.match(para.text)
    if marks and words(para.text[marks.end():]) <= 8 and JUNK.match(para.text[marks.end():]):
        return True
    if not JUNK.match(para.text):
        return False
    # A paragraph of the article's own prose that only mentions signing up, a newsletter or cookies
    # ("If you just want Disney+, you can sign up for a free trial. ...") is no sign-up box.
    return not (words(para.text) >= 25 and ends_sentence(para.text) and not PROMO.search(para.text)
                and not JUNK.match(_MENTION.sub("", para.text)))


# A comment thread's house rules: "Comments are moderated and appear after approval",
# "ATENÇÃO: Comentários com textos ininteligíveis ... não serão aprovados pelo moderador."
_COMMENT_RULES = re.compile(
    r"^.{0,30}?\b(comments?|comentários?|comentarios?|kommentare?|leserkommentare?|commentaires?|commenti|reacties)\b"
    r".{0,160}?\b(moderat\w*|approv\w*|aprovad\w*|aprobad\w*|freigeschaltet|modérés?|reviewed|"
    # "Leserkommentare geben nicht die Meinung der Redaktion wieder", "... do not reflect the views of"
    r"meinung der redaktion|(?:views|opinions?) of (?:the|our) (?:editors?|publication|paper|site))\b|"
    # a blog's post meta over its comments: "You can follow any responses to this entry through the RSS 2.0
    # feed", "Kommentare und Pings sind derzeit geschlossen"
    r"^.{0,200}?\b(responses to this entry|antworten zu diesem eintrag|(comments|kommentare) (and|und) pings)\b",
    re.IGNORECASE)


def is_boundary(para: Para) -> bool:
    if para.bullet:
        return False
    if len(para.text) < 60 and BOUNDARY.match(para.text.strip(" :")):
        return True
    return _comment_rules(para)


def _comment_rules(para: Para) -> bool:
    return not para.bullet and comment_rules(para.text)


def comment_rules(text: str) -> bool:
    """A comment thread's house rules ("Comments are moderated ..."), which no article says."""
    return words(text) <= 40 and bool(_COMMENT_RULES.match(text))


_MARKUP = re.compile(r"https?:|www\.|[\[\]<>={}|]")  # a link, a shortcode or a widget, not a sentence


def _lowercase_share(text: str) -> float:
    found = _WORD.findall(text)
    return sum(1 for w in found if w[0].islower()) / len(found) if found else 0.0


def lost_its_stop(para: Para) -> bool:
    """A sentence that lost its full stop ("“..., tukiwataka wananchi kushirikiana na jeshi hili,” amesema Magomi"):
    twenty words or more, mostly in lower case (a menu is capitalised words), no link or widget."""
    return words(para.text) >= 20 and not para.bullet and _lowercase_share(para.text) >= 0.6 \
        and not _MARKUP.search(para.text)


def is_prose(para: Para) -> bool:
    return words(para.text) >= 12 and ends_sentence(para.text) and not is_junk(para)


def score(para: Para) -> float:
    """A paragraph's worth as article text on its own (see body_span for context)."""
    if is_boundary(para):
        return -40.0
    if is_placeholder(para):
        return 0.0
    if is_junk(para):
        return -4.0 if para.is_image or _MARKS.match(para.text) else -8.0  # a picture, with its label or not
    n = words(para.text)
    if n <= 80 and PROMO.search(para.text):
        return -8.0  # "... for as little as Rs 599. Use the code "GETPRO".", "Click here to ..."
    punct = ends_sentence(para.text)
    if para.text.endswith(("...", "…")) and n >= 8:
        return -3.0  # a teaser cut short: the story itself is elsewhere
    weight = 0.5 if para.bullet else 1.0  # long list items are mostly teasers and captions
    if n >= 20 and punct:
        return n * weight
    if n >= 10 and punct:
        return n * 0.5 * weight
    if n >= 4 and para.text.endswith(("。", "！", "？")) and _CJK.search(para.text):
        return n * 0.5 * weight  # a whole sentence in Chinese or Japanese, short in words
    if lost_its_stop(para):
        return n * 0.3
    if para.bullet and n <= 4:
        return -5.0
    return -3.0


def _shingles(text: str) -> list[tuple[str, ...]]:
    toks = _WORD.findall(text.casefold())
    return [tuple(toks[i:i + 4]) for i in range(len(toks) - 3)]


def _repeats(paras: list[Para]) -> list[int]:
    """Long paragraphs whose words mostly appeared earlier on the page.

    Pages repeat their article (a print copy, a data block, "related" boxes quoting the
    standfirst); the first copy is the article, later copies only double it.
    """
    seen: set[tuple[str, ...]] = set()
    out = []
    for i, para in enumerate(paras):
        shingles = _shingles(para.text)
        if len(shingles) >= 40 and sum(s in seen for s in shingles) >= 0.6 * len(shingles):
            out.append(i)
        seen.update(shingles)
    return out


def body_span(paras: list[Para]) -> tuple[int, int]:
    """[start, end) of the maximum-sum run of paragraph scores; (0, 0) when none is positive."""
    scores = [score(p) for p in paras]
    for i in _repeats(paras):
        scores[i] = -3.0
    for i in captions(paras):
        scores[i] = min(scores[i], -3.0)
    for i, para in enumerate(paras):
        if is_boundary(para) and _inline_box(paras, i):
            scores[i] = -8.0  # an inline box inside the article, not its end
    for i in gallery_slides(paras):
        scores[i] = 0.0  # a picture gallery set in the article: left out of it, not its end
    for i in video_player(paras):
        scores[i] = 0.0  # a video player's controls inside the article (left out of it)
    for i in live_ticker(paras):
        scores[i] = -40.0  # a live ticker's posts, each under its time: never the article
    # Prose that follows prose counts fully; prose after a short title-like line (a teaser
    # under its link) counts for less.
    for i in range(1, len(scores)):
        if scores[i] > 0 and scores[i - 1] < 0 and not paras[i - 1].is_image:
            scores[i] *= 0.6
    for i in data_tables(paras):
        scores[i] = words(paras[i].text) * 0.5  # the article's table counts like short prose
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, value in enumerate(scores):
        if total <= 0:
            total, start = 0.0, i
        total += value
        if total > best:
            best, best_span = total, (start, i + 1)
    start, end = _cut_at_thread(paras, *_cut_at_teasers(paras, *_cut_at_boundary(paras, *best_span)))
    return start, _best_end(scores, start, end) if end < best_span[1] else end


def _best_end(scores: list[float], start: int, end: int) -> int:
    """Where a body cut short at `end` (a "Related" heading, teasers, a comment thread) ends at its best:
    the end of its best-scoring opening run, so the page furniture between the article's last paragraph
    and the cut (an app's banner, a sign-up line) stays out, as it does where the run ends of itself."""
    total, best, best_end = 0.0, float("-inf"), end
    for i in range(start, end):
        total += scores[i]
        if total > best:
            best, best_end = total, i + 1
    return best_end


def _comment_header(paras: list[Para], k: int) -> bool:
    """A comment's header: who wrote it and when ("Jane sagt: 28. April 2024 um 10:17 Uhr", "John says:"
    over "May 3, 2019 at 9:12 am"), short, no sentence."""
    para = paras[k]
    if words(para.text) > 15 or is_prose(para) or not _THREAD.search(para.text):
        return False
    nxt = paras[k + 1] if k + 1 < len(paras) else None
    return _when(para.text) or (nxt is not None and words(nxt.text) <= 10 and _when(nxt.text))


_YEAR_AND_TIME = re.compile(r"\b(19|20)\d\d\b.*\b\d{1,2}[:.]\d\d\b")


def _when(text: str) -> bool:
    """A date, or a year and a time of day (a list's numbering may have taken the day: "28. April 2024
    um 10:17 Uhr" reads as item 28)."""
    return find_date(text) is not None or bool(_YEAR_AND_TIME.search(text))


def _cut_at_thread(paras: list[Para], start: int, end: int) -> tuple[int, int]:
    """End the body where a comment thread starts without a heading: two or more comment headers,
    the first within a dozen lines of the second. What each comment says is prose, so the run of
    prose goes on through the thread unless it is cut here."""
    heads = [k for k in range(start + 1, end) if _comment_header(paras, k)]
    for first, second in zip(heads, heads[1:], strict=False):
        if second - first <= 12 and any(is_prose(p) for p in paras[start:first]):
            return start, first
    return start, end


def data_tables(paras: list[Para]) -> set[int]:
    """Rows of a data table that the article's prose introduces ("... after 36 races:").

    Three or more rows in a row with the same number of cells, right after a paragraph of
    prose (a header row may sit between): the article's own table. A table after a heading
    or a menu (standings in a sidebar, a ticker) is left to score as the page furniture it is.
    """
    out: set[int] = set()
    i = 0
    while i < len(paras):
        j = i
        while j < len(paras) and paras[j].cells and len(paras[j].cells) == len(paras[i].cells):
            j += 1
        if j - i >= 3:
            intro = i - 1
            if intro >= 0 and not is_prose(paras[intro]) and words(paras[intro].text) <= 15:
                intro -= 1  # the header row, its cells not padded apart
            if intro >= 0 and is_prose(paras[intro]) and not paras[intro].bullet:
                out.update(range(i, j))
        i = max(j, i + 1)
    return out


# "— Jane Doe (@jane) November 18, 2019": the signature of an embedded post, not a header.
_QUOTED_POST = re.compile(r"^[—–-]|@\w")


def _cut_at_teasers(paras: list[Para], start: int, end: int) -> tuple[int, int]:
    """End the body where a list of other stories starts: each a header with its own date.

    Two or more "headline / name / date line, then a paragraph" blocks after the article's
    prose are teasers for other articles ("More from ..."), not more of this one.
    """
    headers = [k for k in range(start + 1, end - 1)
               if not is_prose(paras[k]) and words(paras[k].text) <= 8
               and find_date(paras[k].text) and is_prose(paras[k + 1])
               and not _QUOTED_POST.search(paras[k].text)]
    if len(headers) < 2:
        headers = _cards(paras, start + 1, end)
    if len(headers) < 2:
        return start, end
    cut = headers[0]
    while cut > start and not (is_prose(paras[cut - 1]) and not paras[cut - 1].bullet):
        cut -= 1
    if not any(is_prose(p) for p in paras[start:cut]):
        return start, end
    return start, cut


def _card(paras: list[Para], k: int) -> int | None:
    """Where the blurb of a teaser card starting at k ends: a picture, its kicker and headline (short lines,
    not prose), a blurb of at most 45 words; None when k starts none."""
    if not paras[k].is_image:
        return None
    j = k + 1
    while j < len(paras) and j <= k + 3 and not is_prose(paras[j]) and not paras[j].is_image \
            and not paras[j].bullet and 1 <= words(paras[j].text) <= 20:
        j += 1
    blurb = paras[j] if j < len(paras) else None
    if j == k + 1 or blurb is None or not is_prose(blurb) or blurb.bullet or words(blurb.text) > 45:
        return None
    return j


def _cards(paras: list[Para], lo: int, hi: int) -> list[int]:
    """The first two of a run of teaser cards for other stories (_card), the second within two lines of the
    first's blurb: where the article has ended, with no heading over them."""
    for k in range(lo, hi):
        blurb = _card(paras, k)
        if blurb is not None:
            second = next((m for m in range(blurb + 1, min(len(paras), blurb + 3)) if _card(paras, m) is not None),
                          None)
            if second is not None:
                return [k, second]
    return []


# A gallery's slide counter over its caption: "2/50 Star Wars boosts economy", "12 / 30".
_SLIDE = re.compile(r"^(\d{1,3})\s*/\s*(\d{1,3})(?:\s+\S|$)")
_TICKER_TIME = re.compile(r"^\d{1,2}[:h.]\d\d\b")


def gallery_slides(paras: list[Para]) -> set[int]:
    """A picture gallery the page sets among the article's paragraphs: three or more slides numbered
    out of the same total ("1/50 Title", its caption, its credit), each caption a paragraph of prose
    that is not the article's. Short lines right above the first slide are its heading and buttons;
    the last slide ends after its caption and a short credit."""
    marks: dict[str, list[int]] = {}
    for i, para in enumerate(paras):
        m = _SLIDE.match(para.text)
        if m and 0 < int(m.group(1)) <= int(m.group(2)) and words(para.text) <= 25:
            marks.setdefault(m.group(2), []).append(i)
    out: set[int] = set()
    for at in marks.values():
        if len(at) < 3:
            continue
        for a, b in zip(at, at[1:], strict=False):
            if b - a <= 8:
                out.update(range(a, b))
        j = at[0] - 1
        while j >= 0 and j >= at[0] - 60 and not is_prose(paras[j]) and words(paras[j].text) <= 6:
            out.add(j)  # its heading and its row of dots ("Business news in pictures", "•", "•")
            j -= 1
        last = at[-1]
        out.add(last)
        j = last + 1
        while j < len(paras) and j <= last + 4 and not is_prose(paras[j]):
            out.add(j)  # the last slide's own lines before its caption
            j += 1
        if j < len(paras) and is_prose(paras[j]):
            out.add(j)
            j += 1
            while j < len(paras) and words(paras[j].text) <= 3 and not paras[j].bullet:
                out.add(j)  # its credit: "Getty", "Rex"
                j += 1
    return out


_PLAYER_END = re.compile(r"^(this is a modal window\. this modal can be closed\b.*|end of dialog window\.?)$",
                         re.IGNORECASE)


def video_player(paras: list[Para]) -> set[int]:
    """A web video player's controls as a text browser prints them ("Play Video", "Mute", "Current Time
    0:00", its settings dialog), up to the dialog's closing words: page furniture inside the article."""
    out: set[int] = set()
    for i, para in enumerate(paras):
        if para.text.strip().casefold() == "play video":
            end = next((j for j in range(i + 1, min(len(paras), i + 80)) if _PLAYER_END.match(paras[j].text)), None)
            if end is not None:
                out.update(range(i, end + 1))
    return out


def live_ticker(paras: list[Para]) -> set[int]:
    """A live ticker beside the article: list items that open with a time of day ("14:44 Accusations
    ..."), two or more within a dozen lines. What follows them are other stories' posts."""
    times = [i for i, p in enumerate(paras) if p.bullet and _TICKER_TIME.match(p.text)]
    return {i for i in times if any(0 < abs(i - k) <= 12 for k in times)}


def echoed_lines(paras: list[Para]) -> set[int]:
    """Lines inside an article that echo a neighbour: a link to another story set as a card (its
    headline, a short line or two such as the source, a section, a "watch now" button or a video's length,
    the headline again),
    a picture's alt text cut short ("...") over the caption that says it in full, and an alt text over
    the caption that repeats it and adds a few words (its credit, in whatever language: "... mánudag.
    Ljósmynd/Aðsend"). (Not among the captions: above the body, the page's own headline can be shown
    like any of these.)"""
    out: set[int] = set()
    for i in range(1, len(paras)):
        text = paras[i].text
        for gap in (2, 3):
            between = paras[i - gap + 1:i]
            if i >= gap and text == paras[i - gap].text and 3 <= words(text) <= 20 and not is_prose(paras[i]) \
                    and all(p.text != text and words(p.text) <= 6 for p in between):
                out.update(range(i - gap, i + 1))
        if _cut_short(paras[i - 1].text, text) or _credited_copy(paras[i - 1], paras[i]):
            out.update((i - 1, i))
    return out


def _credited_copy(alt: Para, caption: Para) -> bool:
    """Whether `caption` says what `alt` says, then a few more words (a credit): a picture's two texts."""
    tail = caption.text[len(alt.text):]
    return len(alt.text) >= 15 and not alt.bullet and not caption.bullet and words(alt.text) <= 40 \
        and caption.text.startswith(alt.text) and 1 <= words(tail) <= 6 and not tail[:1].isalnum()


def _opening(text: str) -> str:
    """The first character after any opening quote mark."""
    return text.lstrip("\"'“„‘«»")[:1]


def headline_shaped(text: str) -> bool:
    """A list item worded as a headline: three to twenty words, opening with a capital or a number (after
    any quote mark), not ending as a sentence does (a quote closing the line ends a sentence only if what
    it quotes does: „Häuser gehen insolvent“ is a headline's quote)."""
    opening = _opening(text)
    return 3 <= words(text) <= 20 and (opening.isupper() or opening.isdigit()) \
        and not _SENTENCE_END.search(_closing(text)[-1:])


def _closing(text: str) -> str:
    """The text without the quote marks that close it, when something is left."""
    return text.rstrip("\"'”’“‘»«") or text


def _asks(text: str) -> bool:
    """A list item worded as a headline that asks a question."""
    closed = _closing(text)
    return closed.endswith(("?", "？")) and headline_shaped(closed.rstrip("?？ "))


def headline_list(items: list[str]) -> bool:
    """Two or more list items worded as headlines, at least one opening with a capital ("1/2 cup of flour
    for the layer", "2 eggs" are a recipe's own lines)."""
    asks = [_asks(t) for t in items]
    # A headline may ask a question; a list of questions only is the article's own (what it answers).
    return len(items) >= 2 and all(headline_shaped(t) or ask for t, ask in zip(items, asks, strict=True)) \
        and not all(asks) and any(_opening(t).isupper() for t in items)


def headline_lists(paras: list[Para]) -> set[int]:
    """A list of other stories' headlines set among the article's paragraphs with no heading over it: two or
    more list items in a row, each worded as a headline (headline_shaped), that no sentence ending in a
    colon introduces. (An article's own list states facts in sentences, names things in a word or two or
    in lower case, or follows its lead-in.)"""
    out: set[int] = set()
    i = 0
    while i < len(paras):
        j = i
        while j < len(paras) and paras[j].bullet and paras[j].indent == paras[i].indent:
            j += 1
        introduced = i > 0 and paras[i - 1].text.rstrip().endswith(":")  # "To get the tables by post:"
        if not introduced and headline_list([p.text for p in paras[i:j]]):
            out.update(range(i, j))
        i = max(j, i + 1)
    return out


def inline_boxes(paras: list[Para]) -> set[int]:
    """A "Related" box between an article's paragraphs: its heading and its links."""
    out: set[int] = set()
    for i, para in enumerate(paras):
        if is_boundary(para) and _inline_box(paras, i):
            out.add(i)
            j = i + 1
            numbered = _numbered_list(paras, i)
            while j < len(paras) and not (is_prose(paras[j]) and not paras[j].bullet
                                          and not (numbered and paras[j].indent)):
                out.add(j)
                j += 1
    return out


def _numbered_list(paras: list[Para], i: int) -> bool:
    """A numbered list of other stories under the heading at i ("1. headline", with its picture's words,
    its section or writer on indented lines under it): it runs longer than a box of a link or two, and
    its indented lines are the list's, not the article's prose."""
    return any(p.bullet[:1].isdigit() for p in paras[i + 1:i + 4])


def _inline_box(paras: list[Para], i: int) -> bool:
    """A "Related" heading with a link or two, and the article's prose right after it."""
    if _comment_rules(paras[i]):
        return False
    # A numbered list of other stories ("1. headline", its section and writer under it) runs longer.
    numbered = _numbered_list(paras, i)
    for j in range(i + 1, min(len(paras), i + (30 if numbered else 12))):
        if is_boundary(paras[j]) or _THREAD.search(paras[j].text):
            return False
        if is_prose(paras[j]) and not paras[j].bullet and not (numbered and paras[j].indent):
            return j > i + 1 and words(paras[j].text) >= 20
    return False


_ABOUT_AUTHOR = re.compile(r"^(about the authors?|über (den|die) autor(:in|in)?|à propos de l.auteur|"
                           r"sobre (el|o) autor)$", re.IGNORECASE)


def _cut_at_boundary(paras: list[Para], start: int, end: int) -> tuple[int, int]:
    """End the body at a "Related" / "Comments" heading unless the article resumes right after.

    An inline box ("Related Links" and a link or two) sits between paragraphs of the article;
    a comment thread or a list of other stories does not start with a paragraph of prose.
    """
    for i in range(start + 1, end):
        if not is_boundary(paras[i]):
            continue
        if _comment_rules(paras[i]) or _ABOUT_AUTHOR.match(paras[i].text.strip(" :")):
            return start, i  # what follows the comments' house rules or "About the author" is never the article
        j = i + 1
        numbered = _numbered_list(paras, i)
        while j < min(end, i + (30 if numbered else 12)) and (
                not is_prose(paras[j]) or paras[j].bullet or numbered and paras[j].indent):
            if is_boundary(paras[j]) or _THREAD.search(paras[j].text):
                return start, i  # a comment thread: names, times, "Reply"
            j += 1
        resumes = j < end and is_prose(paras[j]) and not paras[j].bullet
        if not resumes or _teasers(paras, i + 1, min(end, i + 16)):
            return start, i
    return start, end


def _teasers(paras: list[Para], lo: int, hi: int) -> bool:
    """Other stories after a "More on ..." heading: two or more headline-like lines, each over a
    paragraph of its own (an inline box has a link or two, then the article goes on)."""
    # Up to the next such heading: a second "Read also" box further down is another inline box.
    hi = next((k for k in range(lo, hi) if is_boundary(paras[k])), hi)
    # A teaser is one paragraph under its headline; a subheading of the article has several under it.
    pairs = sum(1 for k in range(lo, hi - 1)
                if not is_prose(paras[k]) and not paras[k].bullet and 3 <= words(paras[k].text) <= 20
                and not paras[k].text.endswith(".")  # a short sentence of the article's, not a headline
                and not is_junk(paras[k]) and is_prose(paras[k + 1]) and words(paras[k + 1].text) <= 60
                and not _prose_runs_on(paras, k + 2))
    return pairs >= 2


def _prose_runs_on(paras: list[Para], k: int) -> bool:
    """Two paragraphs of prose from k on: the article going on, not the next teaser."""
    return all(j < len(paras) and is_prose(paras[j]) and not paras[j].bullet for j in (k, k + 1))
