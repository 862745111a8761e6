"""Given names and their diminutives and spelling variants, as data. No Django; pure lookups.

Each line is one family of names (a long one goes on in a line with the same first name): the
formal name first, then the short forms, pet forms and common spellings in other languages
that people use for the same person ("Robert" is also "Bob", "Rob", "Bobby", "Roberto"). A
short name may belong to several families: "Al" is Albert, Alan, Alfred and Alexander, so
lookups return every family a name is in.
"""

from __future__ import annotations

from functools import cache

_FAMILIES = """
aaron ron ronnie
abigail abby abbie gail
abraham abe bram
adelaide addie adele della heidi
adrian adrien adriano
agnes aggie nessa
albert al bert bertie
alan al allan allen alun
alexander alex alec alexis sasha sandy xander aleksandr alexandre alejandro alessandro sacha
alexandra alex alexa sandra sasha lexi sandy aleksandra alejandra alessandra
alfred al alf alfie fred freddie
alice ally allie alicia alison allison
amanda mandy manda
andrew andy drew andre andreas andres andrea
angela angie angelina
anne ann anna annie nan nancy nanette hannah anya anja
anthony tony antonio anton antoine
arnold arnie
arthur art artie arturo
augustus gus august augustine
barbara barb barbie babs
barnabas barney
bartholomew bart bartek
beatrice bea bee trixie beatrix
benedict ben benny bennett
benjamin ben benji benny
bernard bernie barney bernardo
bertram bert bertie
beverly bev
bradley brad
brandon bran
bridget biddy bridie brigitte birgit
calvin cal
cameron cam
camille cami millie
caroline carol carrie caro carolina karoline
catherine cathy cat kate katie kathy kat kitty cate kath caitlin
catherine katherine kathryn katharina katarzyna ekaterina katya
cecilia cece cissy celia
charles charlie chuck chas chaz carl karl carlos carlo
charlotte charlie lottie lotte
christian chris kristian christiaan
christina chris tina christine kristina kristin kirsten
christopher chris kit topher cristobal christoph krzysztof
clarence clare
clifford cliff
cornelius neil corney
cynthia cindy
daniel dan danny dani daniele
david dave davey davy dawid
deborah deb debbie debra
dennis denny denis
diana di diane dee
dominic dom nick dominik domenico
donald don donnie
dorothy dot dottie dolly dora
douglas doug
edmund ed eddie ned ted
edward ed eddie ned ted teddy eduardo edouard
eleanor ellie nell nora elle leonora
elizabeth liz lizzie liza beth betsy betty bess bessie eliza elsa elise libby
elizabeth lisa elisabeth isabel elisabetta
emily em emmy milly millie emilia
emma em emmy
eric rick ricky erik
ernest ernie ernst
eugene gene eugen
evelyn eve evie
frances fran frankie fanny francesca
francis frank frankie fran francisco francesco franz francois
frederick fred freddie freddy rick fritz federico
gabriel gabe gabi gabriele
gabrielle gabby gabi gaby
geoffrey geoff jeff jeffrey
george georgie jorge giorgio georg jerzy
gerald gerry jerry gerard
gertrude gertie trudy
gilbert gil bert
gregory greg gregor grzegorz
gwendolyn gwen wendy
harold harry hal
harriet hattie harry
helen nell nellie ellen elena helena lena
henry harry hank hal enrique heinrich henri enrico
herbert herb bert
howard howie
hubert hugh hugo
ignatius iggy ignacio
irene rene
isaac ike
isabella isabel bella izzy isabelle
jacob jake jaco jakob jakub jacques
jacqueline jackie jacqui
james jim jimmy jamie jem diego jaime
jane janie jenny jean jeanne
janet jan jenny
jennifer jen jenny jenn
jeremiah jerry jeremy
jerome jerry
jessica jess jessie
joan joanie jo
joanna jo joanne johanna
john jack johnny jon jonny juan johann johannes jan giovanni ivan sean hans jean joao
jonathan jon jonny nathan
joseph joe joey jo jose giuseppe josef jozef
josephine jo josie fina
joshua josh
judith judy jude
julia julie jules juliana
julian jules julio julien
katherine kate katie kathy kat kitty kay
kenneth ken kenny
kimberly kim kimmy
lawrence larry laurence lorenzo laurent lars
leonard leo len lenny leon leonardo
leslie les
lewis lou louie
louis lou louie luis luigi ludwig
louise lou lulu louisa luisa
lucas luke lukas luca
lucy lu lucia lucille
madeline maddie maddy madeleine magdalena
margaret maggie meg peggy marge madge greta gretchen margie rita daisy
margaret margarita marguerite malgorzata
marjorie marge margie
martha marty mattie
martin marty martino
mary mae molly polly mamie maria marie mia maureen
matilda tilly tilda maud
matthew matt matty mateo matteo mathieu mattias mateusz
maximilian max maxim maximo
melissa mel missy lisa
michael mike mikey mick mickey micky michel miguel michele mikhail mikael
michelle shelly michele
mildred millie milly
nathaniel nate nat nathan
nicholas nick nicky nico nikolai nicolas niklas nicola klaus
nicole nicky nikki nicola
oliver ollie olly
olivia liv livvy ollie
oswald ozzie oz
pamela pam
patricia pat patty patsy trish tricia
patrick pat paddy rick patricio
paul paulie paolo pablo pavel pawel
penelope penny
peter pete pedro pietro pierre piotr pyotr
philip phil pip felipe filip philippe
priscilla cilla prissy
rachel rae
raymond ray
rebecca becky becca reba
reginald reg reggie
richard rick ricky dick rich richie ricardo riccardo
robert bob bobby rob robbie bert roberto
roderick rod roddy
rodney rod
roger rog
ronald ron ronnie
rosalind ros roz
rose rosie rosa
rosemary rosie rose
russell russ rusty
samantha sam sammy
samuel sam sammy
sarah sally sadie sara
sebastian seb bastian
sidney sid
silvester sly syl
simon si
stanley stan stanislaw
stephanie steph stevie
stephen steve stevie steven esteban stefan stefano etienne
susan sue susie suzy susanna suzanne
sylvia syl
terence terry
theodore ted teddy theo
thomas tom tommy tomas tomasz thom
timothy tim timmy
tobias toby
valentine val valentin
valerie val
veronica ronnie vera
victor vic vicky viktor
victoria vicky tori vikki
vincent vince vinny vincenzo
virginia ginny ginger
walter walt wally
wilfred wilf fred
william bill billy will willy liam wilhelm guillermo guillaume
winifred winnie freda
yvonne vonnie
zachary zach zack
zechariah zach zeke
"""


def _families() -> dict[str, frozenset[str]]:
    """Each name -> the formal names of the families it is in."""
    found: dict[str, set[str]] = {}
    for line in _FAMILIES.strip().splitlines():
        names = line.split()
        for name in names:
            found.setdefault(name, set()).add(names[0])
    return {name: frozenset(heads) for name, heads in found.items()}


FAMILIES = _families()


@cache
def formal_names(name: str) -> frozenset[str]:
    """The formal names `name` may stand for (itself if it is in no family): 'bob' -> {'robert'}."""
    return FAMILIES.get(name, frozenset({name}))


def pair_count() -> int:
    """How many (name, other name) pairs the table says are the same given name."""
    pairs: set[tuple[str, str]] = set()
    for line in _FAMILIES.strip().splitlines():
        names = line.split()
        pairs.update((a, b) for a in names for b in names if a < b)
    return len(pairs)
