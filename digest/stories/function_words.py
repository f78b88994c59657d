"""The commonest function words (articles, pronouns, prepositions, conjunctions, forms of "to be"
and "to have") of the languages other than English that digest's sites are most often written in.

Story grouping reads every entry the same way, whatever `[site] language` says (a site may quote
another language, and the features are cached per entry), so these are left out of every entry's
words: without them "le", "der", "de la" join unrelated French and German headlines, as "the" would.

Kept out of the lists: a word English uses as a noun, verb or adjective ("die", "war", "son",
"man", "den", "pour", "van"), which would leave an English headline's subject out
(tests/test_stories.py checks them against lemminflect's English). Published stop lists were not
taken whole: theirs hold subjects of news ("trabajo", "empleo", "estado", "état", "lavoro").
"""

from __future__ import annotations

_BY_LANGUAGE = {
    "fr": "à au aux avec ce ces cet cette d dans de des du elle elles en est et été être il ils j je l la le les"
          " leur leurs lui ma mais me mes moi mon même n ne ni nous on ont ou où pas peut qu que qui s sa sans"
          " se ses si sont sous sur ta te tes toi très tu un une vers vos votre vous y était avait selon après"
          " avant entre chez contre depuis",
    "de": "aber als am an auch auf aus bei bis da dass daß dem der des dich dir doch dort durch ein eine einem"
          " einen einer eines er es für gegen hatte ich ihm ihn ihr ihre im in ins ist jetzt kein keine mich mir"
          " mit nach nicht noch nur ob oder ohne schon sein seine sich sie sind über um und uns unter vom von"
          " vor waren was weil wenn werden wie wieder wir wird wurde wurden zu zum zur zwischen",
    "es": "al algo aunque bajo como contra cual cuando de del desde donde durante el ella ellas ellos en entre"
          " es esa ese eso esta este esto fue ha han hasta la las le les lo los más mi mientras muy ni no nos o"
          " para pero por porque que quien se según ser si sobre su sus también tras tu un una uno unos unas y"
          " ya",
    "it": "ad agli al alla alle allo anche che ci col cui da dai dal dalla dalle degli dei del della delle dello"
          " di dopo e è ed gli ha hanno il in la le lo loro ma nei nel nella nelle non o per più quale quando"
          " questa questo se sono su sua sui sul sulla suo suoi tra un una uno",
    "pt": "à às ao aos as com como da das de do e é ela ele eles em entre está foi há isso isto já mais mas na"
          " nas não no nos num numa o os ou para pela pelas pelo pelos por que se sem ser seu seus sobre sua"
          " suas são também um uma",
    "nl": "aan al als bij dan dat de deze dit een en er had heeft het hij ik in is je maar na naar niet nog of"
          " om ons ook op over te tegen uit voor was wat wel werd wie wij worden wordt zal ze zich zij zijn",
    "ru": "а без бы был была были было в во вы да для до его её ее же за и из или им их к как ко ли мы на над не"
          " нет ни но о об он она они от по под при с со так также то у уже что это",
    "uk": "а але без би був була були було в від для до з за і із й на не ні по при та також то у що це як",
    "pl": "a bez był była było być co czy dla do i ich jak jego jej już na nie o od oraz po przez przy się są ta"
          " te to tym w we z za ze że",
    "tr": "bir bu da de için ile ise mi ne o olan olarak ve veya ya",
    "ar": "أن إلى إن التي الذي عن على في قد كان لا لم ما مع من هذا هذه هو هي و",
    "he": "או אל אם את גם הוא היא זה זו כי לא מה עד על עם של",
}

FUNCTION_WORDS = frozenset(word for words in _BY_LANGUAGE.values() for word in words.split())
